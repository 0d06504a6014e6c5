package io.spanline.storage.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spanline.schemas.codec.otlp.OtlpJsonCodec;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.DecisionOutcome;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.model.SamplingDecision;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.SpanEvent;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.testing.ConformanceFixtures;
import io.spanline.storage.TraceQuery;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Jaeger's storage conformance fixtures ({@code ../shared/conformance/jaeger-storage-fixtures}),
 * prepared as Jaeger prepares them: span and event times on 2017-01-25 moved to two days before
 * today, every other time to yesterday, and the queries' dates alike.
 */
public final class JaegerFixtures {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final LocalDate FIXTURE_DAY_1 = LocalDate.of(2017, 1, 25);

  private final LocalDate today = LocalDate.now(ZoneOffset.UTC);

  /** One search case: the query and the fixtures whose traces are exactly its answer. */
  public record Case(String caption, TraceQuery query, List<String> expectedFixtures) {}

  /** Fixture name → its spans, times moved. */
  public Map<String, List<Span>> traces() {
    Map<String, List<Span>> out = new LinkedHashMap<>();
    for (Path file : ConformanceFixtures.jaegerTraceFiles()) {
      try {
        out.put(
            file.getFileName().toString().replace(".json", ""),
            OtlpJsonCodec.decode(Files.readAllBytes(file)).stream().map(this::shifted).toList());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  /**
   * The 25 cases as storage queries: attribute values in their string form ({@code 123}, {@code
   * 72.5}, {@code true}), as Jaeger's API passes them.
   */
  public List<Case> cases() {
    JsonNode cases;
    try {
      cases =
          JSON.readTree(
              ConformanceFixtures.root().resolve("jaeger-storage-fixtures/queries.json").toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Case> out = new ArrayList<>();
    for (JsonNode c : cases) {
      JsonNode q = c.get("Query");
      Map<String, String> attributes = new LinkedHashMap<>();
      if (q.hasNonNull("Tags")) {
        q.get("Tags")
            .fields()
            .forEachRemaining(e -> attributes.put(e.getKey(), e.getValue().asText()));
      }
      String operation = q.get("OperationName").asText();
      long durationMin = q.get("DurationMin").asLong();
      long durationMax = q.get("DurationMax").asLong();
      TraceQuery query =
          new TraceQuery(
              q.get("ServiceName").asText(),
              operation.isEmpty() ? Optional.empty() : Optional.of(operation),
              attributes,
              Optional.empty(),
              nanos(movedDate(q.get("StartTimeMin").asText())),
              nanos(movedDate(q.get("StartTimeMax").asText())),
              durationMin > 0 ? Optional.of(durationMin) : Optional.empty(),
              durationMax > 0 ? Optional.of(durationMax) : Optional.empty(),
              q.get("NumTraces").asInt());
      List<String> expected = new ArrayList<>();
      c.get("ExpectedFixtures").forEach(f -> expected.add(f.asText()));
      out.add(new Case(c.get("Caption").asText(), query, expected));
    }
    return out;
  }

  /** Every fixture's traces as kept traces of the tenant, as the sampling stream writes them. */
  public List<SampledTrace> keptTraces(String tenant) {
    List<SampledTrace> out = new ArrayList<>();
    for (List<Span> spans : traces().values()) {
      Map<TraceId, List<Span>> byTrace = new LinkedHashMap<>();
      spans.forEach(s -> byTrace.computeIfAbsent(s.traceId(), k -> new ArrayList<>()).add(s));
      byTrace.forEach(
          (id, traceSpans) ->
              out.add(
                  new SampledTrace(
                      AssembledTrace.of(tenant, id, 0, traceSpans),
                      new SamplingDecision(
                          tenant, id, DecisionOutcome.KEEP, List.of("all"), 1.0, 0L))));
    }
    return out;
  }

  /** The attribute keys the cases search by: a store must index them to pass. */
  public Set<String> attributeKeys() {
    Set<String> keys = new TreeSet<>();
    cases().forEach(c -> keys.addAll(c.query().attributes().keySet()));
    return keys;
  }

  /** A query time, moved: 2017-01-26 → yesterday, 2017-01-25 → two days ago. */
  public String movedDate(String time) {
    return time.replace("2017-01-26", today.minusDays(1).toString())
        .replace("2017-01-25", today.minusDays(2).toString());
  }

  private static long nanos(String rfc3339) {
    Instant i = Instant.parse(rfc3339);
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }

  private long shift(long epochNanos) {
    LocalDate day =
        Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L))
            .atZone(ZoneOffset.UTC)
            .toLocalDate();
    LocalDate target = day.equals(FIXTURE_DAY_1) ? today.minusDays(2) : today.minusDays(1);
    return epochNanos + (target.toEpochDay() - day.toEpochDay()) * 86_400_000_000_000L;
  }

  private Span shifted(Span s) {
    List<SpanEvent> events =
        s.events().stream()
            .map(
                e ->
                    new SpanEvent(
                        shift(e.epochNanos()),
                        e.name(),
                        e.attributes(),
                        e.droppedAttributesCount()))
            .toList();
    return s.toBuilder()
        .time(shift(s.startEpochNanos()), shift(s.endEpochNanos()))
        .events(events)
        .build();
  }
}
