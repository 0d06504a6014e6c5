package io.spanline.sampling.replay;

import io.spanline.sampling.policy.SamplingPolicies;
import io.spanline.sampling.policy.Verdict;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.SamplingDecision;
import io.spanline.schemas.topic.SpanlineTopics;
import io.spanline.service.config.KafkaSettings;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
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
 */
final class DryRun {
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
  }

  /**
   * The report.
   *
   * @param read traces and spans read in the range
   * @param unreadable records that could not be read (skipped)
   */
  public record Report(
      Tally read,
      Tally keptByNew,
      Tally keptByCurrent,
      Map<String, Tally[]> byPolicy,
      Map<String, Tally[]> byService,
      long unreadable) {

    /** Prints the report as a table: new next to current, per policy and per root service. */
    public void print(PrintStream out, Instant from, Instant to) {
      out.printf(
          java.util.Locale.ROOT,
          "Dry run over [%s, %s): %,d traces, %,d spans read%n",
          from,
          to,
          read.traces,
          read.spans);
      if (unreadable > 0) {
        out.printf(
            java.util.Locale.ROOT,
            "(%,d records could not be read and were skipped)%n",
            unreadable);
      }
      out.printf(
          java.util.Locale.ROOT,
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
    }

    private static void row(PrintStream out, String name, Tally[] t) {
      out.printf(
          java.util.Locale.ROOT,
          "%-40s %,12d %,12d %,12d %,12d%n",
          name,
          t[0].traces,
          t[0].spans,
          t[1].traces,
          t[1].spans);
    }
  }

  /**
   * Reads the range once from each topic and evaluates {@code policies} on every trace.
   *
   * @throws IllegalArgumentException if a topic does not exist or the range is empty
   */
  public static Report run(
      KafkaSettings kafka,
      SpanlineTopics topics,
      SamplingPolicies policies,
      Instant from,
      Instant to) {
    Map<String, SamplingDecision> current = new HashMap<>();
    Deserializer<SamplingDecision> decisions = topics.decisions().valueSerde().deserializer();
    read(
        kafka,
        topics.decisions().name(),
        from,
        to,
        r -> {
          SamplingDecision d = decisions.deserialize(r.topic(), r.value());
          if (d != null && d.kept()) {
            current.put(d.tenant() + "/" + d.traceId(), d);
          }
        });
    Tally read = new Tally();
    Tally keptByNew = new Tally();
    Tally keptByCurrent = new Tally();
    Map<String, Tally[]> byPolicy = new TreeMap<>();
    Map<String, Tally[]> byService = new TreeMap<>();
    Map<String, Verdict> newKept = new HashMap<>();
    Deserializer<AssembledTrace> traces = topics.assembledTraces().valueSerde().deserializer();
    long[] unreadable = {0};
    read(
        kafka,
        topics.assembledTraces().name(),
        from,
        to,
        r -> {
          AssembledTrace t;
          try {
            t = traces.deserialize(r.topic(), r.value());
          } catch (SerializationException e) {
            unreadable[0]++;
            return;
          }
          read.add(t);
          String key = t.tenant() + "/" + t.traceId();
          Verdict v = t.fragment() > 0 ? newKept.get(key) : null;
          if (v == null) {
            v = policies.decide(t, r.timestamp() * 1_000_000L);
            if (v.kept()) {
              newKept.put(key, v);
            }
          }
          String service = t.summary().rootServiceName();
          if (v.kept()) {
            keptByNew.add(t);
            for (String p : v.policies()) {
              tallies(byPolicy, p)[0].add(t);
            }
            tallies(byService, service)[0].add(t);
          }
          SamplingDecision d = current.get(key);
          if (d != null) {
            keptByCurrent.add(t);
            for (String p : d.policies()) {
              tallies(byPolicy, p)[1].add(t);
            }
            tallies(byService, service)[1].add(t);
          }
        });
    return new Report(read, keptByNew, keptByCurrent, byPolicy, byService, unreadable[0]);
  }

  private static Tally[] tallies(Map<String, Tally[]> m, String key) {
    return m.computeIfAbsent(key, k -> new Tally[] {new Tally(), new Tally()});
  }

  /** Reads every record of {@code topic} between the range's offsets. */
  static void read(
      KafkaSettings kafka,
      String topic,
      Instant from,
      Instant to,
      Consumer<ConsumerRecord<byte[], byte[]>> each) {
    TimeRangeOffsets range = TimeRangeOffsets.of(kafka, topic, from, to);
    try (KafkaConsumer<byte[], byte[]> consumer = Replay.consumer(kafka, 500)) {
      List<TopicPartition> open = new ArrayList<>();
      for (Map.Entry<TopicPartition, Long> e : range.start().entrySet()) {
        if (e.getValue() < range.end().get(e.getKey())) {
          open.add(e.getKey());
        }
      }
      consumer.assign(open);
      for (TopicPartition p : open) {
        consumer.seek(p, range.start().get(p));
      }
      while (!open.isEmpty()) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          TopicPartition p = new TopicPartition(r.topic(), r.partition());
          if (r.offset() < range.end().get(p)
              && r.timestamp() >= from.toEpochMilli()
              && r.timestamp() < to.toEpochMilli()) {
            each.accept(r);
          }
        }
        open.removeIf(p -> consumer.position(p) >= range.end().get(p));
        consumer.assign(open);
      }
    }
  }
}
