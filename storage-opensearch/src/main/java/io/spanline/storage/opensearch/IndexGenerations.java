package io.spanline.storage.opensearch;

import io.spanline.storage.opensearch.internal.document.SummaryScript;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch._types.OpenSearchException;
import org.opensearch.client.opensearch._types.Refresh;
import org.opensearch.client.opensearch._types.aggregations.Aggregate;
import org.opensearch.client.opensearch._types.aggregations.Aggregation;
import org.opensearch.client.opensearch._types.aggregations.StringTermsBucket;
import org.opensearch.client.opensearch.core.GetResponse;
import org.opensearch.client.opensearch.core.SearchResponse;
import org.opensearch.client.opensearch.indices.get_alias.IndexAliases;
import org.opensearch.client.opensearch.indices.update_aliases.Action;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Index generations: re-sampled copies of whole UTC days of the live span, fragment and trace
 * summary indices, written beside them under {@link IndexLayout#generation(String)} ({@code
 * <prefix>-gen-<name>-spans-YYYY-MM-DD} …, which the live patterns {@code <prefix>-spans-*} do not
 * match), compared with the live days, then promoted or discarded.
 *
 * <p>Each generation has a record in the registry index {@code <prefix>-generations} (document ID =
 * name): its days, the SHA-256 of its policy file and its state, {@link State#CREATING} from the
 * start of {@code create}, {@link State#COMPLETE} once every record of its range is indexed and
 * each of its days has its three indices, {@link State#PROMOTED} once its days are live.
 *
 * <p>{@link #promote} is one {@code POST /_aliases} request, atomic for readers: for each day and
 * kind it removes the live index ({@code remove_index}; or, for a day promoted before, the index
 * its live name is an alias of) and adds the live index's name as an alias of the generation's
 * index. Searches of the live patterns, reads by ID and the index sink's writes resolve the alias
 * (an alias of one index is that index's write alias); the retention job deletes the generation's
 * index when the day expires ({@link IndexLayout#dayOfIndex}). Until then the live indices are
 * never touched.
 */
public final class IndexGenerations {
  private static final Logger LOG = LoggerFactory.getLogger(IndexGenerations.class);
  private static final int MAX_BUCKETS = 1_000;

  /** Where a generation stands. */
  public enum State {
    /** Being written by {@code create}: may be resumed, discarded, not promoted. */
    CREATING,
    /** Written for every day of its range: may be compared, promoted or discarded. */
    COMPLETE,
    /** Its days are the live days: discarding it is refused (the retention job removes them). */
    PROMOTED
  }

  /**
   * A generation's record.
   *
   * @param name the generation's name ({@link IndexLayout#generation})
   * @param firstDay first UTC day it replaces
   * @param lastDay last UTC day it replaces (inclusive)
   * @param policySha256 SHA-256 (hex) of the policy file it was sampled with
   * @param state where it stands
   * @param updated when the record was last written
   */
  public record Generation(
      String name,
      LocalDate firstDay,
      LocalDate lastDay,
      String policySha256,
      State state,
      Instant updated) {
    public Generation {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(firstDay, "firstDay");
      Objects.requireNonNull(lastDay, "lastDay");
      Objects.requireNonNull(policySha256, "policySha256");
      Objects.requireNonNull(state, "state");
      Objects.requireNonNull(updated, "updated");
      if (lastDay.isBefore(firstDay)) {
        throw new IllegalArgumentException("lastDay " + lastDay + " is before " + firstDay);
      }
    }

    /** Every day from first to last. */
    public List<LocalDate> days() {
      List<LocalDate> days = new ArrayList<>();
      for (LocalDate d = firstDay; !d.isAfter(lastDay); d = d.plusDays(1)) {
        days.add(d);
      }
      return days;
    }

    Generation in(State s, Instant at) {
      return new Generation(name, firstDay, lastDay, policySha256, s, at);
    }
  }

  /**
   * Traces and spans kept: summary documents, and the sum of their span counts.
   *
   * @param traces trace summaries
   * @param spans spans of those traces (their summaries' {@code spanCount})
   */
  public record Counts(long traces, long spans) {}

  /**
   * What one side (live or generation) holds over the generation's days, from its trace summaries.
   *
   * @param total all of it
   * @param byPolicy by sampling policy that kept the trace (a trace kept by two counts under both)
   * @param byRootService by the trace's root service
   * @param byTenant by tenant
   */
  public record Breakdown(
      Counts total,
      Map<String, Counts> byPolicy,
      Map<String, Counts> byRootService,
      Map<String, Counts> byTenant) {
    public Breakdown {
      byPolicy = Map.copyOf(byPolicy);
      byRootService = Map.copyOf(byRootService);
      byTenant = Map.copyOf(byTenant);
    }
  }

  /**
   * The live days next to the generation's.
   *
   * @param generation the generation's record
   * @param live what the live indices of its days hold (through the live names, so after promotion
   *     the generation itself)
   * @param candidate what the generation's indices hold
   */
  public record Comparison(Generation generation, Breakdown live, Breakdown candidate) {}

  /**
   * What {@link #promote} did.
   *
   * @param actions alias actions sent in the one request (0: it was promoted already)
   * @param replacedIndices live indices (or earlier generations' indices) removed by it
   */
  public record Promotion(int actions, List<String> replacedIndices) {}

  private final OpenSearchClient client;
  private final IndexLayout live;
  private final Clock clock;

  /**
   * @param live the live layout (its prefix); generations are {@link IndexLayout#generation} of it
   */
  public IndexGenerations(OpenSearchClient client, IndexLayout live, Clock clock) {
    this.client = Objects.requireNonNull(client, "client");
    this.live = Objects.requireNonNull(live, "live");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** {@code <prefix>-generations}: one record per generation. */
  public String registryIndex() {
    return live.prefix() + "-generations";
  }

  /**
   * The layout of a generation.
   *
   * @throws IllegalArgumentException if the name is invalid ({@link IndexLayout#generation})
   */
  public IndexLayout layout(String name) {
    return live.generation(name);
  }

  /**
   * The generation's record, if it exists.
   *
   * @throws IOException if OpenSearch cannot be reached
   */
  public Optional<Generation> find(String name) throws IOException {
    layout(name);
    if (!client.indices().exists(e -> e.index(registryIndex())).value()) {
      return Optional.empty();
    }
    @SuppressWarnings("rawtypes")
    GetResponse<Map> got = client.get(g -> g.index(registryIndex()).id(name), Map.class);
    if (!got.found() || got.source() == null) {
      return Optional.empty();
    }
    Map<?, ?> s = got.source();
    return Optional.of(
        new Generation(
            String.valueOf(s.get("name")),
            LocalDate.parse(String.valueOf(s.get("firstDay"))),
            LocalDate.parse(String.valueOf(s.get("lastDay"))),
            String.valueOf(s.get("policySha256")),
            State.valueOf(String.valueOf(s.get("state"))),
            Instant.parse(String.valueOf(s.get("updated")))));
  }

  /**
   * Starts (or continues) creating a generation of the days {@code firstDay} to {@code lastDay}:
   * records it as {@link State#CREATING} unless it exists, and installs its index templates and
   * summary script (with the live settings, {@code templates}' layout ignored).
   *
   * @return its record: new, or the existing one (a {@link State#COMPLETE} one has nothing left to
   *     do)
   * @throws IllegalStateException if a generation of that name exists with other days or another
   *     policy file, or is promoted
   * @throws IOException if OpenSearch cannot be reached
   */
  public Generation begin(
      String name,
      LocalDate firstDay,
      LocalDate lastDay,
      String policySha256,
      TemplateSettings templates)
      throws IOException {
    IndexLayout layout = layout(name);
    Optional<Generation> existing = find(name);
    if (existing.isPresent()) {
      Generation g = existing.get();
      if (!g.firstDay().equals(firstDay)
          || !g.lastDay().equals(lastDay)
          || !g.policySha256().equals(policySha256)) {
        throw new IllegalStateException(
            "generation "
                + name
                + " exists for "
                + g.firstDay()
                + " .. "
                + g.lastDay()
                + " with another range or policy file; discard it or choose another name");
      }
      if (g.state() == State.PROMOTED) {
        throw new IllegalStateException("generation " + name + " is promoted already");
      }
      installTemplates(layout, templates);
      return g;
    }
    installTemplates(layout, templates);
    Generation g =
        new Generation(name, firstDay, lastDay, policySha256, State.CREATING, clock.instant());
    write(g);
    LOG.info("Generation {} of {} .. {} created", name, firstDay, lastDay);
    return g;
  }

  private void installTemplates(IndexLayout layout, TemplateSettings templates) throws IOException {
    IndexTemplates.install(
        client,
        new TemplateSettings(
            layout,
            templates.shards(),
            templates.replicas(),
            templates.refreshInterval(),
            templates.keywordMaxLength()));
  }

  /**
   * Marks a generation written: creates any of its day indices that no document created (a day the
   * new policy kept nothing of still replaces the live day), refreshes them and records it {@link
   * State#COMPLETE}. Call once every record of its range is indexed.
   *
   * @throws IllegalStateException if it does not exist or is promoted
   * @throws IOException if OpenSearch cannot be reached
   */
  public Generation complete(String name) throws IOException {
    Generation g = require(name);
    if (g.state() == State.PROMOTED) {
      throw new IllegalStateException("generation " + name + " is promoted already");
    }
    IndexLayout layout = layout(name);
    List<String> indices = dayIndices(layout, g);
    for (String index : indices) {
      if (!client.indices().exists(e -> e.index(index)).value()) {
        try {
          client.indices().create(c -> c.index(index));
        } catch (OpenSearchException e) {
          if (!"resource_already_exists_exception".equals(e.error().type())) {
            throw e;
          }
        }
      }
    }
    client.indices().refresh(r -> r.index(indices));
    Generation done = g.in(State.COMPLETE, clock.instant());
    write(done);
    return done;
  }

  /**
   * Counts what the live days and the generation hold, by policy, root service and tenant, with one
   * search of aggregations per side over the trace summary indices of the generation's days.
   *
   * @throws IllegalStateException if the generation does not exist
   * @throws IOException if OpenSearch cannot be reached
   */
  public Comparison compare(String name) throws IOException {
    Generation g = require(name);
    IndexLayout layout = layout(name);
    return new Comparison(
        g,
        breakdown(g.days().stream().map(live::traceIndex).toList()),
        breakdown(g.days().stream().map(layout::traceIndex).toList()));
  }

  private Breakdown breakdown(List<String> indices) throws IOException {
    Aggregation spans = Aggregation.of(a -> a.sum(s -> s.field(Fields.SPAN_COUNT)));
    SearchResponse<Void> r =
        client.search(
            s ->
                s.index(indices)
                    .ignoreUnavailable(true)
                    .allowNoIndices(true)
                    .size(0)
                    .trackTotalHits(t -> t.enabled(true))
                    .aggregations("spans", spans)
                    .aggregations("policy", terms(Fields.SAMPLING_POLICIES, spans))
                    .aggregations("root", terms(Fields.ROOT_SERVICE, spans))
                    .aggregations("tenant", terms(Fields.TENANT, spans)),
            Void.class);
    long traces = r.hits().total() == null ? 0 : r.hits().total().value();
    return new Breakdown(
        new Counts(traces, sum(r.aggregations().get("spans"))),
        byKey(r.aggregations().get("policy")),
        byKey(r.aggregations().get("root")),
        byKey(r.aggregations().get("tenant")));
  }

  private static Aggregation terms(String field, Aggregation spans) {
    return Aggregation.of(
        a -> a.terms(t -> t.field(field).size(MAX_BUCKETS)).aggregations("spans", spans));
  }

  private static long sum(Aggregate a) {
    return a != null && a.isSum() ? Math.round(a.sum().value()) : 0;
  }

  private static Map<String, Counts> byKey(Aggregate a) {
    Map<String, Counts> out = new TreeMap<>();
    if (a == null || !a.isSterms()) {
      return out;
    }
    for (StringTermsBucket b : a.sterms().buckets().array()) {
      out.put(b.key(), new Counts(b.docCount(), sum(b.aggregations().get("spans"))));
    }
    return out;
  }

  /**
   * Makes the generation's days live in one {@code POST /_aliases} request (see the class comment).
   * Promoting a promoted generation again changes nothing; a crash after the request and before the
   * record is updated is finished by running it again.
   *
   * @throws IllegalStateException if the generation does not exist or is not {@link State#COMPLETE}
   *     (still being created: finish {@code create} first)
   * @throws IOException if OpenSearch cannot be reached or refuses the request (nothing changed
   *     then)
   */
  public Promotion promote(String name) throws IOException {
    Generation g = require(name);
    if (g.state() == State.CREATING) {
      throw new IllegalStateException(
          "generation "
              + name
              + " is not complete (its create did not finish): run create again to finish it");
    }
    IndexLayout layout = layout(name);
    for (int attempt = 1; ; attempt++) {
      Map<String, String> liveToCandidate = new LinkedHashMap<>();
      for (LocalDate day : g.days()) {
        liveToCandidate.put(live.spanIndex(day), layout.spanIndex(day));
        liveToCandidate.put(live.fragmentIndex(day), layout.fragmentIndex(day));
        liveToCandidate.put(live.traceIndex(day), layout.traceIndex(day));
      }
      Map<String, String> resolved = resolve(new ArrayList<>(liveToCandidate.keySet()));
      List<Action> actions = new ArrayList<>();
      List<String> replaced = new ArrayList<>();
      for (Map.Entry<String, String> e : liveToCandidate.entrySet()) {
        String liveName = e.getKey();
        String candidate = e.getValue();
        String current = resolved.get(liveName);
        if (candidate.equals(current)) {
          continue;
        }
        if (current != null) {
          actions.add(Action.of(a -> a.removeIndex(r -> r.index(current))));
          replaced.add(current);
        }
        actions.add(Action.of(a -> a.add(add -> add.index(candidate).alias(liveName))));
      }
      if (actions.isEmpty()) {
        if (g.state() != State.PROMOTED) {
          write(g.in(State.PROMOTED, clock.instant()));
        }
        return new Promotion(0, List.of());
      }
      if (g.state() == State.PROMOTED) {
        throw new IllegalStateException(
            "generation "
                + name
                + " was promoted, but some of its days are no longer live (promoted over"
                + " since?): "
                + replaced);
      }
      try {
        client.indices().updateAliases(u -> u.actions(actions));
      } catch (OpenSearchException e) {
        // e.g. the index sink created a live index of one of the days meanwhile: nothing changed
        if (attempt >= 3) {
          throw new IOException(
              "OpenSearch refused the promotion of generation " + name + ": " + e.getMessage(), e);
        }
        LOG.warn("Promotion of {} refused ({}); trying again", name, e.getMessage());
        continue;
      }
      write(g.in(State.PROMOTED, clock.instant()));
      LOG.info(
          "Generation {} promoted: {} alias actions, replaced {}", name, actions.size(), replaced);
      return new Promotion(actions.size(), replaced);
    }
  }

  /**
   * Live name → the concrete index it is now (itself, or the index it is an alias of); absent when
   * neither exists.
   */
  private Map<String, String> resolve(List<String> names) throws IOException {
    Map<String, String> out = new HashMap<>();
    Map<String, IndexAliases> found =
        client
            .indices()
            .getAlias(a -> a.index(names).ignoreUnavailable(true).allowNoIndices(true))
            .result();
    for (Map.Entry<String, IndexAliases> e : found.entrySet()) {
      if (names.contains(e.getKey())) {
        out.put(e.getKey(), e.getKey());
      }
      for (String alias : e.getValue().aliases().keySet()) {
        if (names.contains(alias)) {
          out.put(alias, e.getKey());
        }
      }
    }
    return out;
  }

  /**
   * Deletes a generation that is not promoted: its indices (every day, also days outside its range
   * that traces near midnight reached), templates, script and record. The live indices are not
   * touched.
   *
   * @return the indices deleted
   * @throws IllegalStateException if it is promoted, or any of its indices is live (a promotion
   *     that crashed before recording itself: run promote again, or leave it)
   * @throws IOException if OpenSearch cannot be reached
   */
  public List<String> discard(String name) throws IOException {
    IndexLayout layout = layout(name);
    Optional<Generation> g = find(name);
    if (g.isPresent() && g.get().state() == State.PROMOTED) {
      throw new IllegalStateException(
          "generation " + name + " is promoted: its indices are the live days now");
    }
    List<String> patterns =
        List.of(
            layout.spanIndexPattern(), layout.fragmentIndexPattern(), layout.traceIndexPattern());
    Map<String, IndexAliases> indices =
        client
            .indices()
            .getAlias(a -> a.index(patterns).ignoreUnavailable(true).allowNoIndices(true))
            .result();
    List<String> names = new ArrayList<>(new TreeMap<>(indices).keySet());
    for (Map.Entry<String, IndexAliases> e : indices.entrySet()) {
      if (!e.getValue().aliases().isEmpty()) {
        throw new IllegalStateException(
            "index "
                + e.getKey()
                + " of generation "
                + name
                + " is live as "
                + e.getValue().aliases().keySet()
                + "; not discarding");
      }
    }
    if (!names.isEmpty()) {
      client.indices().delete(d -> d.index(names).ignoreUnavailable(true));
    }
    for (String template :
        List.of(
            layout.spanTemplateName(), layout.fragmentTemplateName(), layout.traceTemplateName())) {
      deleteIgnoringMissing(() -> client.indices().deleteIndexTemplate(d -> d.name(template)));
    }
    deleteIgnoringMissing(() -> client.deleteScript(d -> d.id(SummaryScript.id(layout.prefix()))));
    if (g.isPresent()) {
      client.delete(d -> d.index(registryIndex()).id(name).refresh(Refresh.True));
    }
    LOG.info("Generation {} discarded: deleted {}", name, names);
    return names;
  }

  private interface Call {
    void run() throws IOException;
  }

  private static void deleteIgnoringMissing(Call call) throws IOException {
    try {
      call.run();
    } catch (OpenSearchException e) {
      if (e.status() != 404) {
        throw e;
      }
    }
  }

  private static List<String> dayIndices(IndexLayout layout, Generation g) {
    List<String> out = new ArrayList<>();
    for (LocalDate day : g.days()) {
      out.add(layout.spanIndex(day));
      out.add(layout.fragmentIndex(day));
      out.add(layout.traceIndex(day));
    }
    return out;
  }

  private Generation require(String name) throws IOException {
    return find(name)
        .orElseThrow(() -> new IllegalStateException("no generation named " + name + " exists"));
  }

  private void write(Generation g) throws IOException {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("name", g.name());
    doc.put("firstDay", g.firstDay().toString());
    doc.put("lastDay", g.lastDay().toString());
    doc.put("policySha256", g.policySha256());
    doc.put("state", g.state().name());
    doc.put("updated", g.updated().toString());
    client.index(i -> i.index(registryIndex()).id(g.name()).document(doc).refresh(Refresh.True));
  }
}
