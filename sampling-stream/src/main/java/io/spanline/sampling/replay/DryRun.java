package io.spanline.sampling.replay;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.spanline.sampling.policy.AdaptiveRate;
import io.spanline.sampling.policy.SamplingPolicies;
import io.spanline.sampling.policy.Verdict;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.SamplingDecision;
import io.spanline.schemas.topic.SpanlineTopics;
import io.spanline.service.config.KafkaSettings;
import io.spanline.service.process.ProgressLine;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * What a policy file would keep over a time range of {@code spanline.traces.assembled}, next to
 * what the running policy kept (the {@code KEEP} decisions on {@code spanline.decisions} in the
 * same range), per policy and per root service. Writes nothing to Kafka. Memory: the trace IDs the
 * current policy kept in the range, and those the new one keeps.
 *
 * <p>With a checkpoint file the run saves where it is every so many records and seconds, when it
 * stops early ({@code --max-records}, Ctrl-C) and at the end; a run started with an existing
 * checkpoint continues from it, and its report equals an uninterrupted run's (the decisions topic
 * is read whole again each run; the counters and the traces the new policy kept come from the
 * checkpoint).
 */
final class DryRun {
  /** Unreadable records named in the report; the rest are only counted. */
  private static final int UNREADABLE_NAMED = 10;

  private DryRun() {}

  /** Traces (fragment 0) and spans (all fragments) in one row of the report. */
  public static final class Tally {
    long traces;
    long spans;

    public long traces() {
      return traces;
    }

    public long spans() {
      return spans;
    }

    void add(AssembledTrace t) {
      if (t.fragment() == 0) {
        traces++;
      }
      spans += t.spans().size();
    }

    long[] toArray() {
      return new long[] {traces, spans};
    }

    static Tally of(long[] a, int i) {
      Tally t = new Tally();
      t.traces = a[i];
      t.spans = a[i + 1];
      return t;
    }
  }

  /**
   * The report.
   *
   * @param read traces and spans read in the range
   * @param keptByNew what the new policy file keeps
   * @param keptByCurrent what the running policy kept (its decisions in the range)
   * @param byPolicy per policy name: {@code [new, current]}
   * @param byService per root service: {@code [new, current]}
   * @param unreadable records that could not be read (skipped)
   * @param unreadableAt the first ten of them, each {@code <topic> partition <p> offset <o>}
   * @param adaptiveRates where the new policy file's {@code adaptive} policies stood at the end of
   *     the range: per key, the probability they had reached and the rate they observed (a run
   *     continued from a checkpoint learns its rates afresh from where it continued)
   */
  public record Report(
      Tally read,
      Tally keptByNew,
      Tally keptByCurrent,
      Map<String, Tally[]> byPolicy,
      Map<String, Tally[]> byService,
      long unreadable,
      List<String> unreadableAt,
      List<AdaptiveRate> adaptiveRates) {

    /** Prints the report as a table: new next to current, per policy and per root service. */
    public void print(PrintStream out, Instant from, Instant to) {
      out.printf(
          Locale.ROOT,
          "Dry run over [%s, %s): %,d traces, %,d spans read%n",
          from,
          to,
          read.traces,
          read.spans);
      if (unreadable > 0) {
        out.printf(
            Locale.ROOT,
            "(%,d records could not be read and were skipped: %s%s)%n",
            unreadable,
            String.join("; ", unreadableAt),
            unreadable > unreadableAt.size() ? "; …" : "");
      }
      out.printf(
          Locale.ROOT,
          "%-40s %12s %12s %12s %12s%n",
          "",
          "new traces",
          "new spans",
          "cur traces",
          "cur spans");
      row(out, "kept", new Tally[] {keptByNew, keptByCurrent});
      out.println("by policy:");
      byPolicy.forEach((k, v) -> row(out, "  " + k, v));
      out.println("by root service:");
      byService.forEach((k, v) -> row(out, "  " + k, v));
      if (!adaptiveRates.isEmpty()) {
        out.printf(
            Locale.ROOT,
            "adaptive policies at the end of the range:%n%-40s %12s %12s %12s%n",
            "",
            "probability",
            "seen/s",
            "kept/s");
        for (AdaptiveRate r : adaptiveRates) {
          out.printf(
              Locale.ROOT,
              "%-40s %12.4f %12.2f %12.2f%n",
              "  " + r.policy() + " " + String.join(" / ", r.key()),
              r.probability(),
              r.observedTracesPerSecond(),
              r.probability() * r.observedTracesPerSecond());
        }
      }
    }

    private static void row(PrintStream out, String name, Tally[] t) {
      out.printf(
          Locale.ROOT,
          "%-40s %,12d %,12d %,12d %,12d%n",
          name,
          t[0].traces,
          t[0].spans,
          t[1].traces,
          t[1].spans);
    }

    /**
     * The report as one JSON object: {@code from}, {@code to} (ISO-8601), {@code read} ({@code
     * traces}, {@code spans}), {@code kept} ({@code new}, {@code current}, each {@code traces} and
     * {@code spans}), {@code byPolicy} and {@code byService} (arrays of {@code name}, {@code new},
     * {@code current}), {@code unreadable}, {@code unreadableAt} and {@code adaptive} (an array of
     * {@code policy}, {@code key}, {@code probability}, {@code observedTracesPerSecond}).
     */
    public String toJson(Instant from, Instant to) {
      ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      ObjectNode root = json.createObjectNode();
      root.put("from", from.toString());
      root.put("to", to.toString());
      root.set("read", tally(json, read));
      ObjectNode kept = root.putObject("kept");
      kept.set("new", tally(json, keptByNew));
      kept.set("current", tally(json, keptByCurrent));
      rows(json, root.putArray("byPolicy"), byPolicy);
      rows(json, root.putArray("byService"), byService);
      root.put("unreadable", unreadable);
      ArrayNode at = root.putArray("unreadableAt");
      unreadableAt.forEach(at::add);
      ArrayNode adaptive = root.putArray("adaptive");
      for (AdaptiveRate r : adaptiveRates) {
        ObjectNode n = adaptive.addObject();
        n.put("policy", r.policy());
        ArrayNode key = n.putArray("key");
        r.key().forEach(key::add);
        n.put("probability", r.probability());
        n.put("observedTracesPerSecond", r.observedTracesPerSecond());
      }
      try {
        return json.writeValueAsString(root) + System.lineSeparator();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private static ObjectNode tally(ObjectMapper json, Tally t) {
      ObjectNode n = json.createObjectNode();
      n.put("traces", t.traces);
      n.put("spans", t.spans);
      return n;
    }

    private static void rows(ObjectMapper json, ArrayNode array, Map<String, Tally[]> m) {
      m.forEach(
          (name, t) -> {
            ObjectNode row = array.addObject();
            row.put("name", name);
            row.set("new", tally(json, t[0]));
            row.set("current", tally(json, t[1]));
          });
    }

    /**
     * The report as CSV with a header line: {@code
     * section,name,new_traces,new_spans,current_traces,current_spans}; sections {@code read} (both
     * pairs the traces and spans read), {@code kept} (name {@code all}), {@code policy} and {@code
     * service}. The adaptive policies' rates are in the table and the JSON only.
     */
    public String toCsv() {
      CsvSchema schema =
          CsvSchema.builder()
              .addColumn("section")
              .addColumn("name")
              .addNumberColumn("new_traces")
              .addNumberColumn("new_spans")
              .addNumberColumn("current_traces")
              .addNumberColumn("current_spans")
              .build()
              .withHeader();
      List<List<Object>> rows = new ArrayList<>();
      rows.add(List.of("read", "all", read.traces, read.spans, read.traces, read.spans));
      rows.add(
          List.of(
              "kept",
              "all",
              keptByNew.traces,
              keptByNew.spans,
              keptByCurrent.traces,
              keptByCurrent.spans));
      byPolicy.forEach((k, v) -> rows.add(csvRow("policy", k, v)));
      byService.forEach((k, v) -> rows.add(csvRow("service", k, v)));
      try {
        return new CsvMapper().writer(schema).writeValueAsString(rows);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private static List<Object> csvRow(String section, String name, Tally[] t) {
      return List.of(section, name, t[0].traces, t[0].spans, t[1].traces, t[1].spans);
    }
  }

  /**
   * How a dry run reads.
   *
   * @param checkpoint the checkpoint file, or null for none
   * @param checkpointEveryRecords save the checkpoint after this many records
   * @param checkpointInterval and at least this often
   * @param maxRecords stop (saving the checkpoint) after this many records in this run; 0: no limit
   * @param rate the rate cap
   * @param progress how progress is shown
   * @param progressInterval how often it is refreshed
   * @param err where progress and skipped records are reported
   * @param stopRequested true once the run should stop and save its checkpoint (Ctrl-C)
   */
  record Options(
      Path checkpoint,
      long checkpointEveryRecords,
      Duration checkpointInterval,
      long maxRecords,
      RateCap rate,
      ProgressLine.Mode progress,
      Duration progressInterval,
      PrintStream err,
      BooleanSupplier stopRequested) {}

  /**
   * A run's outcome.
   *
   * @param report the report over what has been read so far (all of it when {@code complete})
   * @param complete whether the whole range has been read
   * @param recordsThisRun records read by this run
   */
  record Outcome(Report report, boolean complete, long recordsThisRun) {}

  /** The counters of a run, restorable from a checkpoint. */
  private static final class State {
    final Tally read;
    final Tally keptByNew;
    final Tally keptByCurrent;
    final Map<String, Tally[]> byPolicy = new TreeMap<>();
    final Map<String, Tally[]> byService = new TreeMap<>();
    final Map<String, List<String>> newKept = new HashMap<>();
    final Map<Integer, Long> next = new TreeMap<>();
    long recordsRead;
    long unreadable;
    final List<String> unreadableAt = new ArrayList<>();

    State(DryRunCheckpoint c) {
      if (c == null) {
        read = new Tally();
        keptByNew = new Tally();
        keptByCurrent = new Tally();
        return;
      }
      read = Tally.of(c.read(), 0);
      keptByNew = Tally.of(c.keptByNew(), 0);
      keptByCurrent = Tally.of(c.keptByCurrent(), 0);
      c.byPolicy().forEach((k, v) -> byPolicy.put(k, pair(v)));
      c.byService().forEach((k, v) -> byService.put(k, pair(v)));
      newKept.putAll(c.newKept());
      next.putAll(c.next());
      recordsRead = c.recordsRead();
      unreadable = c.unreadable();
      unreadableAt.addAll(c.unreadableAt());
    }

    private static Tally[] pair(long[] v) {
      return new Tally[] {Tally.of(v, 0), Tally.of(v, 2)};
    }

    private static Map<String, long[]> flat(Map<String, Tally[]> m) {
      Map<String, long[]> out = new LinkedHashMap<>();
      m.forEach(
          (k, v) -> out.put(k, new long[] {v[0].traces, v[0].spans, v[1].traces, v[1].spans}));
      return out;
    }

    DryRunCheckpoint checkpoint(String topic, Instant from, Instant to, String policySha256) {
      return new DryRunCheckpoint(
          1,
          topic,
          from.toString(),
          to.toString(),
          policySha256,
          new TreeMap<>(next),
          recordsRead,
          read.toArray(),
          keptByNew.toArray(),
          keptByCurrent.toArray(),
          flat(byPolicy),
          flat(byService),
          newKept,
          unreadable,
          List.copyOf(unreadableAt));
    }

    /**
     * The report; {@code decisionsUnreadable}, records of the decisions topic that could not be
     * read (read again by every run, so not in the checkpoint), count as unreadable too.
     */
    Report report(List<String> decisionsUnreadable, List<AdaptiveRate> adaptiveRates) {
      List<String> at = new ArrayList<>(decisionsUnreadable);
      at.addAll(unreadableAt);
      return new Report(
          read,
          keptByNew,
          keptByCurrent,
          byPolicy,
          byService,
          unreadable + decisionsUnreadable.size(),
          List.copyOf(at.subList(0, Math.min(at.size(), UNREADABLE_NAMED))),
          List.copyOf(adaptiveRates));
    }
  }

  /**
   * Reads the range once from each topic (from the checkpoint on, if there is one) and evaluates
   * {@code policies} on every trace.
   *
   * @param policySha256 the policy file's SHA-256, kept in the checkpoint
   * @throws IllegalArgumentException if a topic does not exist, the range is empty, or the
   *     checkpoint belongs to another topic, range or policy file
   * @throws IllegalStateException if a record cannot be evaluated (the message names its topic,
   *     partition and offset; the checkpoint holds the records before it)
   * @throws IOException if the checkpoint cannot be read or written
   */
  static Outcome run(
      KafkaSettings kafka,
      SpanlineTopics topics,
      SamplingPolicies policies,
      String policySha256,
      Instant from,
      Instant to,
      Options options)
      throws IOException, InterruptedException {
    String topic = topics.assembledTraces().name();
    DryRunCheckpoint saved =
        options.checkpoint() == null ? null : DryRunCheckpoint.readIfExists(options.checkpoint());
    if (saved != null) {
      if (!saved.topic().equals(topic)
          || !Instant.parse(saved.from()).equals(from)
          || !Instant.parse(saved.to()).equals(to)
          || !saved.policySha256().equals(policySha256)) {
        throw new IllegalArgumentException(
            "checkpoint "
                + options.checkpoint()
                + " belongs to another dry run ("
                + saved.topic()
                + " ["
                + saved.from()
                + ", "
                + saved.to()
                + ") with another policy file or range); delete it or choose another"
                + " --checkpoint");
      }
    }
    State state = new State(saved);
    Map<String, SamplingDecision> current = new HashMap<>();
    List<String> decisionsUnreadable = new ArrayList<>();
    Deserializer<SamplingDecision> decisions = topics.decisions().valueSerde().deserializer();
    String decisionsTopic = topics.decisions().name();
    TimeRangeOffsets decisionRange = TimeRangeOffsets.of(kafka, decisionsTopic, from, to);
    read(
        kafka,
        decisionsTopic,
        decisionRange,
        Map.of(),
        from,
        to,
        r -> {
          SamplingDecision d;
          try {
            d = decisions.deserialize(r.topic(), r.value());
          } catch (SerializationException e) {
            decisionsUnreadable.add(position(r));
            options
                .err()
                .println("skipped the unreadable record at " + position(r) + ": " + e.getMessage());
            return true;
          }
          if (d != null && d.kept()) {
            current.put(d.tenant() + "/" + d.traceId(), d);
          }
          return true;
        },
        (p, position) -> {});

    TimeRangeOffsets range = TimeRangeOffsets.of(kafka, topic, from, to);
    Map<TopicPartition, Long> start = new HashMap<>(range.start());
    state.next.forEach(
        (p, o) -> start.computeIfPresent(new TopicPartition(topic, p), (k, s) -> Math.max(s, o)));
    long left = 0;
    List<Integer> open = new ArrayList<>();
    for (Map.Entry<TopicPartition, Long> e : start.entrySet()) {
      long n = range.end().get(e.getKey()) - e.getValue();
      if (n > 0) {
        left += n;
        open.add(e.getKey().partition());
      }
    }
    ReplayProgress progress =
        new ReplayProgress(
            options.err(),
            options.progress(),
            options.progressInterval(),
            System::nanoTime,
            from,
            to,
            state.recordsRead,
            state.read.traces,
            left,
            open,
            range.start().size());
    Deserializer<AssembledTrace> traces = topics.assembledTraces().valueSerde().deserializer();
    long[] thisRun = {0};
    long[] lastSave = {System.nanoTime(), 0};
    boolean[] stopped = {false};
    read(
        kafka,
        topic,
        range,
        start,
        from,
        to,
        r -> {
          if (options.stopRequested().getAsBoolean()
              || (options.maxRecords() > 0 && thisRun[0] >= options.maxRecords())) {
            stopped[0] = true;
            return false;
          }
          AssembledTrace t = null;
          try {
            t = traces.deserialize(r.topic(), r.value());
          } catch (SerializationException e) {
            skip(state, options.err(), r, e);
          }
          try {
            options.rate().acquire(t == null ? 1 : t.spans().size());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopped[0] = true;
            return false;
          }
          if (t != null) {
            try {
              evaluate(state, current, policies, t, r.timestamp());
            } catch (RuntimeException e) {
              save(options, state, topic, from, to, policySha256);
              throw new IllegalStateException(
                  "evaluating the record at " + position(r) + " failed: " + e, e);
            }
          }
          state.next.put(r.partition(), r.offset() + 1);
          state.recordsRead++;
          thisRun[0]++;
          progress.record(r.partition(), r.timestamp(), t != null && t.fragment() == 0);
          if (options.checkpoint() != null
              && (thisRun[0] - lastSave[1] >= options.checkpointEveryRecords()
                  || System.nanoTime() - lastSave[0] >= options.checkpointInterval().toNanos())) {
            save(options, state, topic, from, to, policySha256);
            lastSave[0] = System.nanoTime();
            lastSave[1] = thisRun[0];
          }
          return true;
        },
        (p, position) -> {
          state.next.merge(p.partition(), position, Math::max);
          if (position >= range.end().get(p)) {
            progress.partitionDone(p.partition());
          }
        });
    progress.finish();
    save(options, state, topic, from, to, policySha256);
    return new Outcome(
        state.report(decisionsUnreadable, policies.adaptiveRates()), !stopped[0], thisRun[0]);
  }

  private static void evaluate(
      State state,
      Map<String, SamplingDecision> current,
      SamplingPolicies policies,
      AssembledTrace t,
      long timestampMillis) {
    state.read.add(t);
    String key = t.tenant() + "/" + t.traceId();
    List<String> keptBy = t.fragment() > 0 ? state.newKept.get(key) : null;
    if (keptBy == null) {
      Verdict v = policies.decide(t, timestampMillis * 1_000_000L);
      if (v.kept()) {
        keptBy = List.copyOf(v.policies());
        state.newKept.put(key, keptBy);
      }
    }
    String service = t.summary().rootServiceName();
    if (keptBy != null) {
      state.keptByNew.add(t);
      for (String p : keptBy) {
        tallies(state.byPolicy, p)[0].add(t);
      }
      tallies(state.byService, service)[0].add(t);
    }
    SamplingDecision d = current.get(key);
    if (d != null) {
      state.keptByCurrent.add(t);
      for (String p : d.policies()) {
        tallies(state.byPolicy, p)[1].add(t);
      }
      tallies(state.byService, service)[1].add(t);
    }
  }

  private static void skip(
      State state, PrintStream err, ConsumerRecord<byte[], byte[]> r, Exception e) {
    String at = position(r);
    state.unreadable++;
    if (state.unreadableAt.size() < UNREADABLE_NAMED) {
      state.unreadableAt.add(at);
    }
    err.println("skipped the unreadable record at " + at + ": " + e.getMessage());
  }

  private static String position(ConsumerRecord<?, ?> r) {
    return r.topic() + " partition " + r.partition() + " offset " + r.offset();
  }

  private static void save(
      Options options, State state, String topic, Instant from, Instant to, String policySha256) {
    if (options.checkpoint() == null) {
      return;
    }
    try {
      state.checkpoint(topic, from, to, policySha256).write(options.checkpoint());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write the checkpoint " + options.checkpoint() + ": " + e.getMessage(), e);
    }
  }

  private static Tally[] tallies(Map<String, Tally[]> m, String key) {
    return m.computeIfAbsent(key, k -> new Tally[] {new Tally(), new Tally()});
  }

  /** What {@link #read} calls for each record; false stops the read. */
  @FunctionalInterface
  interface RecordHandler {
    boolean accept(ConsumerRecord<byte[], byte[]> r);
  }

  /**
   * Reads every record of {@code topic} from {@code start} (the range's start where absent) to the
   * range's end, in the time range, until {@code each} returns false; after each whole poll, tells
   * {@code positions} where each partition read stands.
   */
  static void read(
      KafkaSettings kafka,
      String topic,
      TimeRangeOffsets range,
      Map<TopicPartition, Long> start,
      Instant from,
      Instant to,
      RecordHandler each,
      java.util.function.BiConsumer<TopicPartition, Long> positions) {
    try (KafkaConsumer<byte[], byte[]> consumer = Replay.consumer(kafka, 500)) {
      List<TopicPartition> open = new ArrayList<>();
      for (Map.Entry<TopicPartition, Long> e : range.start().entrySet()) {
        long s = start.getOrDefault(e.getKey(), e.getValue());
        if (s < range.end().get(e.getKey())) {
          open.add(e.getKey());
        }
      }
      consumer.assign(open);
      for (TopicPartition p : open) {
        consumer.seek(p, start.getOrDefault(p, range.start().get(p)));
      }
      while (!open.isEmpty()) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          TopicPartition p = new TopicPartition(r.topic(), r.partition());
          if (r.offset() < range.end().get(p)
              && r.timestamp() >= from.toEpochMilli()
              && r.timestamp() < to.toEpochMilli()) {
            if (!each.accept(r)) {
              return;
            }
          }
        }
        for (TopicPartition p : open) {
          positions.accept(p, Math.min(consumer.position(p), range.end().get(p)));
        }
        open.removeIf(p -> consumer.position(p) >= range.end().get(p));
        consumer.assign(open);
      }
    }
  }
}
