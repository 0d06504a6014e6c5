package io.spanline.query;

import static io.spanline.query.testing.QueryFixture.getAs;
import static io.spanline.query.testing.QueryFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.opensearch.LocalOpenSearch;
import io.spanline.query.testing.QueryFixture;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.testing.ConformanceFixtures;
import io.spanline.storage.opensearch.testing.OpenSearchStoreFixture;
import io.spanline.storage.testing.JaegerFixtures;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Jaeger's 25 storage conformance cases ({@code ../shared/conformance/jaeger-storage-fixtures},
 * {@link JaegerFixtures}) asked in TraceQL through {@code GET
 * /api/search?q=…&start=…&end=…&limit=…} over the 32 fixture traces, written for one tenant through
 * the index sink's write path as {@code JaegerConformanceIT} writes them (the default attribute
 * allowlist plus the keys the cases search by). Each case must return exactly the traces Jaeger
 * expects.
 *
 * <p>Translation: Jaeger asks for one span with all the conditions, so each case is one spanset
 * filter: {@code resource.service.name = "s"}, {@code name = "op"} when an operation is given,
 * {@code duration >= min} / {@code duration <= max} (inclusive, in nanoseconds, as Jaeger's), and
 * per tag {@code (span.k = v || resource.k = v || event.k = v || link.k = v || instrumentation.k =
 * v)}: Jaeger matches a tag on the span, its logs (events) or its process (resource), and its
 * storage tests put tags on link and scope attributes too. TraceQL is typed, so each literal is
 * typed as the case's JSON value is — which is how the fixtures' attributes are typed ({@code 123}
 * an integer, {@code 72.5} a double, {@code true} a boolean).
 *
 * <p>Not expressible in TraceQL itself: the time range. A span's start time is not a TraceQL field,
 * so the range goes as the API's {@code start} and {@code end}, which are whole epoch seconds: the
 * case's microsecond bounds are widened outward to the second. No case depends on the sub-second
 * part. Everything else of the 25 cases is expressed exactly. Jaeger also matches a tag by its
 * string form whatever the attribute's type ({@code "123"} finds the integer 123); the typed
 * translation is exact only because each case's values are typed as its fixtures' are.
 */
@ExtendWith(LocalInfraExtension.class)
class TraceQlJaegerFixturesIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TENANT = "default";
  private static final String[] TAG_SCOPES = {
    "span", "resource", "event", "link", "instrumentation"
  };

  @Test
  void everyJaegerCaseInTraceQlFindsExactlyTheExpectedTraces(LocalOpenSearch node)
      throws Exception {
    // Given every fixture trace, written as the index sink writes them
    JaegerFixtures jaeger = new JaegerFixtures();
    Map<String, List<Span>> fixtures = jaeger.traces();
    String prefix;
    try (OpenSearchStoreFixture store =
        OpenSearchStoreFixture.start(node, jaeger.attributeKeys())) {
      store.write(jaeger.keptTraces(TENANT));
      prefix = store.layout().prefix();
    }
    JsonNode cases =
        JSON.readTree(
            ConformanceFixtures.root().resolve("jaeger-storage-fixtures/queries.json").toFile());
    assertThat(cases).hasSize(25);

    try (QueryServiceApp app = QueryFixture.start(node, prefix)) {
      List<String> failures = new ArrayList<>();
      for (JsonNode c : cases) {
        // When the case is asked in TraceQL
        JsonNode q = c.get("Query");
        String traceQl = traceQl(q);
        Map<String, String> params = new LinkedHashMap<>();
        params.put("q", traceQl);
        params.put(
            "start", Long.toString(floorSeconds(jaeger.movedDate(q.get("StartTimeMin").asText()))));
        params.put(
            "end", Long.toString(ceilSeconds(jaeger.movedDate(q.get("StartTimeMax").asText()))));
        params.put("limit", q.get("NumTraces").asText());
        JsonNode answer = ok(getAs(app, TENANT, "/api/search", params));

        // Then exactly the traces Jaeger expects come back, none cut by a bound
        Set<String> found = new TreeSet<>();
        answer.get("traces").forEach(t -> found.add(t.get("traceID").asText()));
        Set<String> expected = new TreeSet<>();
        c.get("ExpectedFixtures")
            .forEach(f -> fixtures.get(f.asText()).forEach(s -> expected.add(s.traceId().toHex())));
        if (!found.equals(expected) || answer.get("partial").asBoolean()) {
          failures.add(
              c.get("Caption").asText()
                  + " as "
                  + traceQl
                  + ": found "
                  + found
                  + ", expected "
                  + expected
                  + (answer.get("partial").asBoolean() ? " (partial)" : ""));
        }
      }
      assertThat(failures).as("cases answered otherwise than Jaeger expects").isEmpty();
    }
  }

  /** The case's query as one TraceQL spanset filter. */
  static String traceQl(JsonNode q) {
    List<String> conditions = new ArrayList<>();
    conditions.add("resource.service.name = " + string(q.get("ServiceName").asText()));
    String operation = q.get("OperationName").asText();
    if (!operation.isEmpty()) {
      conditions.add("name = " + string(operation));
    }
    if (q.hasNonNull("Tags")) {
      Iterator<Map.Entry<String, JsonNode>> tags = q.get("Tags").fields();
      while (tags.hasNext()) {
        Map.Entry<String, JsonNode> tag = tags.next();
        List<String> anywhere = new ArrayList<>();
        for (String scope : TAG_SCOPES) {
          anywhere.add(scope + "." + key(tag.getKey()) + " = " + literal(tag.getValue()));
        }
        conditions.add("(" + String.join(" || ", anywhere) + ")");
      }
    }
    if (q.get("DurationMin").asLong() > 0) {
      conditions.add("duration >= " + q.get("DurationMin").asLong() + "ns");
    }
    if (q.get("DurationMax").asLong() > 0) {
      conditions.add("duration <= " + q.get("DurationMax").asLong() + "ns");
    }
    return "{ " + String.join(" && ", conditions) + " }";
  }

  /** A TraceQL literal of the JSON value's type. */
  private static String literal(JsonNode v) {
    if (v.isTextual()) {
      return string(v.asText());
    }
    if (v.isIntegralNumber()) {
      return Long.toString(v.asLong());
    }
    if (v.isFloatingPointNumber()) {
      return Double.toString(v.asDouble());
    }
    if (v.isBoolean()) {
      return Boolean.toString(v.asBoolean());
    }
    throw new IllegalArgumentException("no TraceQL literal for " + v);
  }

  private static String string(String s) {
    return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  /** An attribute name, quoted unless it is made of plain name characters. */
  private static String key(String k) {
    return k.matches("[A-Za-z0-9_.]+") ? k : string(k);
  }

  private static long floorSeconds(String rfc3339) {
    return Instant.parse(rfc3339).getEpochSecond();
  }

  private static long ceilSeconds(String rfc3339) {
    Instant i = Instant.parse(rfc3339);
    return i.getNano() == 0 ? i.getEpochSecond() : i.getEpochSecond() + 1;
  }
}
