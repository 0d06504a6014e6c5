package io.spanline.index;

import static io.spanline.index.testing.IndexSinkHarness.each;
import static io.spanline.index.testing.IndexSinkHarness.kept;
import static io.spanline.index.testing.Queries.and;
import static io.spanline.index.testing.Queries.atLeast;
import static io.spanline.index.testing.Queries.between;
import static io.spanline.index.testing.Queries.term;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spanline.index.testing.IndexSinkHarness;
import io.spanline.index.testing.Queries;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.localinfra.opensearch.LocalOpenSearch;
import io.spanline.localinfra.registry.LocalSchemaRegistry;
import io.spanline.schemas.codec.otlp.OtlpProtoCodec;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.testing.FarStartTraces;
import io.spanline.schemas.testing.TraceBuilder;
import io.spanline.storage.opensearch.Fields;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The index sink against real Kafka, schema registry and OpenSearch. */
@ExtendWith(LocalInfraExtension.class)
class IndexSinkIT {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final long MS = 1_000_000L;

  @Test
  void indexesKeptTraces_searchableByEveryFilter_andALateFragmentUpdatesItsSummary(
      LocalKafka kafka, LocalSchemaRegistry registry, LocalOpenSearch openSearch) throws Exception {
    try (IndexSinkHarness sink =
        IndexSinkHarness.start(kafka, registry, openSearch.httpPort(), 1, Map.of())) {
      // Given kept traces of two tenants, one of them a day later
      AssembledTrace checkout =
          TraceBuilder.trace()
              .tenant("acme")
              .root("frontend", "GET /checkout", 120)
              .child("checkout", "POST /orders", 80)
              .attr("http.response.status_code", 200)
              .attr("http.request.method", "POST")
              .attr("order.id", "o-17")
              .child("payment", "charge", 40)
              .resourceAttr("deployment.environment.name", "prod")
              .build();
      AssembledTrace search =
          TraceBuilder.trace()
              .tenant("acme")
              .root("frontend", "GET /search", 30)
              .child("search", "query", 20)
              .error()
              .build();
      AssembledTrace slowCheckoutOfGlobex =
          TraceBuilder.trace()
              .tenant("globex")
              .root("frontend", "GET /checkout", 2000)
              .attr("http.response.status_code", 500)
              .error()
              .build();
      AssembledTrace nextDay =
          TraceBuilder.trace()
              .tenant("acme")
              .shiftedBy(Duration.ofDays(1))
              .root("inventory", "sync", 10)
              .build();
      // When the sink reads them
      sink.send(
          kept(checkout, "baseline"),
          kept(search, "errors"),
          kept(slowCheckoutOfGlobex, "errors", "slow"),
          kept(nextDay, "baseline"));
      sink.awaitCount(sink.spans(), Queries.all(), 7, WAIT);
      sink.awaitCount(sink.traces(), Queries.all(), 4, WAIT);

      // Then spans are found by service, operation, status, duration, attribute, tenant and time
      assertThat(names(sink.search(sink.spans(), and(acme(), term(Fields.SERVICE, "checkout")))))
          .containsExactly("POST /orders");
      assertThat(ids(sink.search(sink.spans(), and(acme(), term(Fields.NAME, "GET /checkout")))))
          .containsExactly(checkout.traceId().toHex());
      assertThat(
              ids(
                  sink.search(
                      sink.spans(),
                      and(term(Fields.TENANT, "globex"), term(Fields.NAME, "GET /checkout")))))
          .containsExactly(slowCheckoutOfGlobex.traceId().toHex());
      assertThat(names(sink.search(sink.spans(), and(acme(), term(Fields.STATUS, "ERROR")))))
          .containsExactly("query");
      assertThat(
              names(
                  sink.search(
                      sink.spans(),
                      and(acme(), between(Fields.DURATION_NANOS, 35 * MS, 100 * MS)))))
          .containsExactlyInAnyOrder("POST /orders", "charge");
      assertThat(
              names(
                  sink.search(
                      sink.spans(),
                      and(acme(), term(Fields.attributeField("http.response.status_code"), 200)))))
          .containsExactly("POST /orders");
      assertThat(
              names(
                  sink.search(
                      sink.spans(),
                      and(acme(), term(Fields.attributeField("http.request.method"), "POST")))))
          .containsExactly("POST /orders");
      assertThat(
              sink.search(
                  sink.spans(),
                  and(acme(), term(Fields.attributeField("deployment.environment.name"), "prod"))))
          .hasSize(1);
      long dayMs = 86_400_000L;
      long nextDayStartMs = nextDay.summary().startEpochNanos() / MS;
      assertThat(
              ids(
                  sink.search(
                      sink.spans(),
                      and(
                          acme(),
                          between(
                              Fields.START_TIME, nextDayStartMs - 1000, nextDayStartMs + dayMs)))))
          .containsExactly(nextDay.traceId().toHex());
      // ... in daily indices by the span's start
      assertThat(sink.client().indices().get(g -> g.index(sink.spans())).result().keySet())
          .hasSize(2);

      // and every span is stored whole once, in its trace fragment's document (gzip OTLP
      // protobuf), not in its span document, while a key off the allowlist is not indexed
      ObjectNode orders =
          sink.search(sink.spans(), and(acme(), term(Fields.NAME, "POST /orders"))).get(0);
      assertThat(orders.has(Fields.OTLP)).isFalse();
      assertThat(orders.path(Fields.ATTRIBUTES).has("order@id")).isFalse();
      List<ObjectNode> fragments =
          sink.search(
              sink.fragments(), and(acme(), term(Fields.TRACE_ID, checkout.traceId().toHex())));
      assertThat(fragments).hasSize(1);
      List<Span> stored = decodeFragment(fragments.get(0).get(Fields.SPANS).binaryValue());
      assertThat(stored).containsExactlyInAnyOrderElementsOf(checkout.spans());
      assertThat(fragments.get(0).get(Fields.SPAN_COUNT).asInt()).isEqualTo(3);

      // and trace summaries hold the whole trace, searchable by trace duration
      ObjectNode summary =
          sink.search(sink.traces(), term(Fields.TRACE_ID, checkout.traceId().toHex())).get(0);
      assertThat(summary.get(Fields.TENANT).asText()).isEqualTo("acme");
      assertThat(summary.get(Fields.ROOT_SERVICE).asText()).isEqualTo("frontend");
      assertThat(summary.get(Fields.ROOT_NAME).asText()).isEqualTo("GET /checkout");
      assertThat(summary.get(Fields.SPAN_COUNT).asInt()).isEqualTo(3);
      assertThat(summary.get(Fields.ERROR).asBoolean()).isFalse();
      assertThat(summary.get(Fields.DURATION_NANOS).asLong()).isEqualTo(120 * MS);
      assertThat(texts(summary.get(Fields.SERVICES)))
          .containsExactlyInAnyOrder("frontend", "checkout", "payment");
      assertThat(texts(summary.get(Fields.SAMPLING_POLICIES))).containsExactly("baseline");
      assertThat(
              ids(
                  sink.search(
                      sink.traces(),
                      and(term(Fields.ERROR, "true"), atLeast(Fields.DURATION_NANOS, 1000 * MS)))))
          .containsExactly(slowCheckoutOfGlobex.traceId().toHex());

      // When a late fragment of the checkout trace arrives (twice, as after a retry)
      AssembledTrace late =
          TraceBuilder.trace()
              .tenant("acme")
              .traceId(checkout.traceId())
              .fragment(1)
              .orphan("audit", "record", 500, 100)
              .error()
              .build();
      sink.send(kept(late, "baseline"), kept(late, "baseline"));
      sink.awaitCount(sink.spans(), Queries.all(), 8, WAIT);
      sink.awaitAllCommitted(WAIT);

      // Then its summary covers both fragments, counted once
      ObjectNode merged =
          sink.search(sink.traces(), term(Fields.TRACE_ID, checkout.traceId().toHex())).get(0);
      assertThat(merged.get(Fields.SPAN_COUNT).asInt()).isEqualTo(4);
      assertThat(merged.get(Fields.ERROR).asBoolean()).isTrue();
      assertThat(merged.get(Fields.DURATION_NANOS).asLong()).isEqualTo(600 * MS);
      assertThat(merged.get(Fields.ROOT_NAME).asText()).isEqualTo("GET /checkout");
      assertThat(texts(merged.get(Fields.SERVICES))).contains("audit", "frontend");
      assertThat(texts(merged.get(Fields.FRAGMENTS))).containsExactly("0", "1");
      assertThat(sink.count(sink.traces(), Queries.all())).isEqualTo(4);

      // and the admin port reports ready, with document, bulk and consumer-lag metrics
      assertThat(admin(sink, "/readyz").statusCode()).isEqualTo(200);
      assertThat(admin(sink, "/metrics").body())
          .contains("spanline_index_documents_total{type=\"span\"} 9.0")
          .contains("spanline_index_documents_total{type=\"fragment\"}")
          .contains("spanline_index_bulk_seconds_count")
          .contains("kafka_consumer_fetch_manager_records_lag_max");
    }
  }

  @Test
  void spansStartingFarFromNow_areNotIndexed_soTheyCreateNoDailyIndices(
      LocalKafka kafka, LocalSchemaRegistry registry, LocalOpenSearch openSearch) throws Exception {
    try (IndexSinkHarness sink =
        IndexSinkHarness.start(
            kafka, registry, openSearch.httpPort(), 1, Map.of("retention.days", "7"))) {
      // Given a trace (as a Collector writes it, past the gateway) whose spans claim start times
      // 500 and 200 days ago, 10 days and 2 hours ahead, and now; and one entirely 300 days ago
      AssembledTrace spread = FarStartTraces.spread("acme");
      AssembledTrace ancient = FarStartTraces.ancient("acme");

      // When both are kept
      sink.send(kept(spread, "baseline"), kept(ancient, "baseline"));
      sink.awaitAllCommitted(WAIT);
      sink.refresh();

      // Then only the span from now is indexed, in today's indices, and the rest are counted
      assertThat(names(sink.search(sink.spans(), Queries.all()))).containsExactly("GET /now");
      String prefix = sink.config().layout().prefix();
      Set<String> indices =
          sink.client().indices().get(g -> g.index(prefix + "-*")).result().keySet();
      assertThat(indices).hasSizeLessThanOrEqualTo(4); // spans and traces, today (and tomorrow)
      assertThat(
              sink.app()
                  .metrics()
                  .registry()
                  .get("spanline.index.spans.out_of_window")
                  .tag("tenant", "acme")
                  .counter()
                  .count())
          .isEqualTo(5);
    }
  }

  @Test
  void deadLettersARecordWhoseAttributeTypeConflictsWithTheMapping_andIndexesTheRest(
      LocalKafka kafka, LocalSchemaRegistry registry, LocalOpenSearch openSearch) throws Exception {
    try (IndexSinkHarness sink =
        IndexSinkHarness.start(kafka, registry, openSearch.httpPort(), 1, Map.of())) {
      // Given an index whose status-code field is numeric
      AssembledTrace ok =
          TraceBuilder.trace()
              .root("api", "GET /a", 5)
              .attr("http.response.status_code", 200)
              .build();
      sink.send(kept(ok, "baseline"));
      sink.awaitCount(sink.spans(), Queries.all(), 1, WAIT);

      // When a trace carries a text status code, a record is not Avro, and a good trace follows
      AssembledTrace conflicting =
          TraceBuilder.trace()
              .root("api", "GET /b", 5)
              .attr("http.response.status_code", "two hundred")
              .child("db", "SELECT", 1)
              .build();
      AssembledTrace after =
          TraceBuilder.trace()
              .root("api", "GET /c", 5)
              .attr("http.response.status_code", 404)
              .build();
      sink.send(kept(conflicting, "baseline"));
      sink.sendRaw(
          "0af7651916cd43dd8448eb211c80319c".getBytes(StandardCharsets.US_ASCII),
          "not avro".getBytes(StandardCharsets.UTF_8),
          "default");
      sink.send(kept(after, "baseline"));

      // Then both bad records are dead-lettered with the reason, and everything else is indexed
      List<ConsumerRecord<byte[], byte[]>> dead = sink.deadLetters(2);
      assertThat(dead).hasSize(2);
      ConsumerRecord<byte[], byte[]> refused = dead.get(0);
      assertThat(new String(refused.key(), StandardCharsets.US_ASCII))
          .isEqualTo(conflicting.traceId().toHex());
      assertThat(header(refused, "__streams.errors.exception")).endsWith("parsing_exception");
      assertThat(header(refused, "__streams.errors.message")).contains("http@response@status_code");
      assertThat(header(dead.get(1), "__streams.errors.message")).isNotEmpty();
      assertThat(new String(dead.get(1).value(), StandardCharsets.UTF_8)).isEqualTo("not avro");

      sink.awaitAllCommitted(WAIT);
      assertThat(names(sink.search(sink.spans(), Queries.all())))
          .containsExactlyInAnyOrder("GET /a", "SELECT", "GET /c");
      assertThat(
              sink.app()
                  .metrics()
                  .registry()
                  .get("spanline.index.dead.letters")
                  .tag("reason", "rejected")
                  .counter()
                  .count())
          .isEqualTo(1);
    }
  }

  private static org.opensearch.client.opensearch._types.query_dsl.Query acme() {
    return term(Fields.TENANT, "acme");
  }

  private static List<String> names(List<ObjectNode> docs) {
    return each(docs, d -> d.get(Fields.NAME).asText());
  }

  private static List<String> ids(List<ObjectNode> docs) {
    return each(docs, d -> d.get(Fields.TRACE_ID).asText()).stream().distinct().toList();
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static HttpResponse<String> admin(IndexSinkHarness sink, String path) throws Exception {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .build()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sink.app().adminPort() + path))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String key) {
    return new String(r.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
  }

  /** A fragment document's spans: gzip-compressed OTLP protobuf {@code TracesData}. */
  private static List<Span> decodeFragment(byte[] gzipped) throws java.io.IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
      return OtlpProtoCodec.decode(in.readAllBytes());
    }
  }
}
