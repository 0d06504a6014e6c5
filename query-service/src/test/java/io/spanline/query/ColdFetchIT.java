package io.spanline.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.junit.UniqueNames;
import io.spanline.localinfra.opensearch.LocalOpenSearch;
import io.spanline.localinfra.s3.LocalS3;
import io.spanline.query.config.QueryConfigLoader;
import io.spanline.schemas.codec.otlp.OtlpJsonCodec;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.DecisionOutcome;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.model.SamplingDecision;
import io.spanline.schemas.testing.TraceBuilder;
import io.spanline.storage.archive.ArchiveLayout;
import io.spanline.storage.archive.S3Clients;
import io.spanline.storage.archive.internal.parquet.ParquetTraceWriter;
import io.spanline.storage.archive.internal.parquet.SpanRows;
import io.spanline.storage.archive.internal.s3.S3Uploader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A trace no longer in OpenSearch (past hot retention) is read from the Parquet archive, and found
 * there by the native search, Jaeger's span search and TraceQL.
 */
@ExtendWith(LocalInfraExtension.class)
class ColdFetchIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void aTraceOnlyInTheArchiveIsReturnedFromIt_forItsTenantOnly(LocalOpenSearch node, LocalS3 server)
      throws Exception {
    String bucket = UniqueNames.unique("cold");
    AssembledTrace trace =
        TraceBuilder.trace()
            .tenant("acme")
            .root("frontend", "GET /cold", 40)
            .child("checkout", "POST /orders", 10)
            .build();
    // Given the trace in the archive (as the archive sink writes it), and nothing in OpenSearch
    archive(server, bucket, List.of(List.of(trace)));
    Map<String, String> props = props(node, server, bucket);
    // (the service's clock is 20 days after the trace: the default lookback, the whole 30-day
    // cold retention, covers it without a time range in the request)
    Clock clock =
        Clock.fixed(
            Instant.ofEpochSecond(
                trace.summary().startEpochNanos() / 1_000_000_000L + 20L * 24 * 3600),
            ZoneOffset.UTC);
    try (QueryServiceApp app =
        QueryServiceApp.start(QueryConfigLoader.load(Map.of(), props), clock)) {
      // When the trace is asked for by ID
      HttpResponse<byte[]> found = get(app, trace.traceId().toHex(), "acme");
      HttpResponse<byte[]> otherTenant = get(app, trace.traceId().toHex(), "globex");

      // Then it comes from the archive, whole, and only for its tenant
      assertThat(found.statusCode()).isEqualTo(200);
      JsonNode result = JSON.readTree(found.body()).get("result");
      assertThat(OtlpJsonCodec.decode(JSON.writeValueAsBytes(result)))
          .containsExactlyInAnyOrderElementsOf(trace.spans());
      assertThat(otherTenant.statusCode()).isEqualTo(404);
    }
  }

  @Test
  void theNativeSearchPastTheHotRetention_findsArchivedTraces_forTheirTenantOnly(
      LocalOpenSearch node, LocalS3 server) throws Exception {
    String bucket = UniqueNames.unique("coldsearch");
    AssembledTrace trace =
        TraceBuilder.trace()
            .tenant("acme")
            .root("frontend", "GET /archived", 40)
            .child("checkout", "POST /orders", 10)
            .error()
            .build();
    AssembledTrace other =
        TraceBuilder.trace().tenant("acme").root("frontend", "GET /fine", 5).build();
    // Given two traces only in the archive, nothing in OpenSearch
    archive(server, bucket, List.of(List.of(trace, other)));
    Map<String, String> props = props(node, server, bucket);
    // (the service's clock is 20 days after the traces, past the default 7-day hot retention)
    Instant start = Instant.ofEpochSecond(trace.summary().startEpochNanos() / 1_000_000_000L);
    Clock clock = Clock.fixed(start.plusSeconds(20L * 24 * 3600), ZoneOffset.UTC);
    String range =
        "from=" + start.minusSeconds(3600) + "&to=" + start.plusSeconds(3600) + "&service=checkout";
    try (QueryServiceApp app =
        QueryServiceApp.start(QueryConfigLoader.load(Map.of(), props), clock)) {
      // When the native search asks for checkout's traces of that day
      JsonNode found = search(app, "acme", range);
      JsonNode failed = search(app, "acme", range.replace("service=checkout", "status=error"));
      JsonNode hotOnly = search(app, "acme", range + "&source=hot");
      JsonNode archiveOnly = search(app, "acme", range + "&source=archive");
      JsonNode otherTenant = search(app, "globex", range);
      // (a range longer than the archive's retention is searched within the retention)
      JsonNode longRange =
          search(
              app,
              "acme",
              "from="
                  + start.minusSeconds(400L * 24 * 3600)
                  + "&to="
                  + start.plusSeconds(3600)
                  + "&service=checkout");

      // Then the archived trace comes back from the archive, complete, for its tenant only
      assertThat(found.get("partial").asBoolean()).isFalse();
      assertThat(found.get("traces")).hasSize(1);
      JsonNode t = found.get("traces").get(0);
      assertThat(t.get("traceId").asText()).isEqualTo(trace.traceId().toHex());
      assertThat(t.get("source").asText()).isEqualTo("archive");
      assertThat(t.get("rootService").asText()).isEqualTo("frontend");
      assertThat(t.get("spanCount").asInt()).isEqualTo(2);
      assertThat(t.get("error").asBoolean()).isTrue();
      assertThat(failed.get("traces")).hasSize(1);
      assertThat(failed.get("traces").get(0).get("traceId").asText())
          .isEqualTo(trace.traceId().toHex());
      assertThat(hotOnly.get("traces")).isEmpty();
      assertThat(archiveOnly.get("traces")).hasSize(1);
      assertThat(otherTenant.get("traces")).isEmpty();
      assertThat(longRange.get("partial").asBoolean()).isFalse();
      assertThat(longRange.get("traces")).hasSize(1);

      // And Jaeger's api_v3 span search finds it too, whole, from the archive
      HttpResponse<byte[]> jaeger =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .build()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(
                              "http://127.0.0.1:"
                                  + app.port()
                                  + "/api/v3/traces?query.service_name=checkout"
                                  + "&query.start_time_min="
                                  + start.minusSeconds(3600)
                                  + "&query.start_time_max="
                                  + start.plusSeconds(3600)))
                      .header("X-Scope-OrgID", "acme")
                      .build(),
                  HttpResponse.BodyHandlers.ofByteArray());
      assertThat(jaeger.statusCode()).as(new String(jaeger.body())).isEqualTo(200);
      assertThat(jaeger.headers().firstValue("Spanline-Search-Partial")).isEmpty();
      assertThat(
              OtlpJsonCodec.decode(
                  JSON.writeValueAsBytes(JSON.readTree(jaeger.body()).get("result"))))
          .containsExactlyInAnyOrderElementsOf(trace.spans());
    }
  }

  @Test
  void traceQlPastTheHotRetention_findsArchivedTraces_forTheirTenantOnly_partialWhenABoundCuts(
      LocalOpenSearch node, LocalS3 server) throws Exception {
    String bucket = UniqueNames.unique("coldtraceql");
    AssembledTrace failing =
        TraceBuilder.trace()
            .tenant("acme")
            .root("frontend", "GET /pay", 40)
            .child("checkout", "POST /charge", 10)
            .error()
            .build();
    AssembledTrace slowGold =
        TraceBuilder.trace()
            .tenant("acme")
            .root("frontend", "GET /basket", 60)
            .child("payments", "charge", 25)
            .attr("customer.tier", "gold")
            .build();
    AssembledTrace fine =
        TraceBuilder.trace()
            .tenant("acme")
            .root("frontend", "GET /fine", 5)
            .child("payments", "charge", 2)
            .attr("customer.tier", "gold")
            .build();
    // Given three traces only in the archive, in two files of one hour, nothing in OpenSearch
    archive(server, bucket, List.of(List.of(failing, fine), List.of(slowGold)));
    Map<String, String> props = props(node, server, bucket);
    // (the service's clock is 20 days after the traces, past the default 7-day hot retention)
    long startSeconds = failing.summary().startEpochNanos() / 1_000_000_000L;
    Clock clock =
        Clock.fixed(Instant.ofEpochSecond(startSeconds + 20L * 24 * 3600), ZoneOffset.UTC);
    String range = "&start=" + (startSeconds - 3600) + "&end=" + (startSeconds + 3600);
    String failed = "{ resource.service.name = \"checkout\" && status = error }";
    String gold = "{ span.customer.tier = \"gold\" && duration > 20ms }";
    try (QueryServiceApp app =
        QueryServiceApp.start(QueryConfigLoader.load(Map.of(), props), clock)) {
      // When Tempo's TraceQL search asks for that day
      JsonNode foundFailed = traceQl(app, "acme", failed, range);
      JsonNode foundGold = traceQl(app, "acme", gold, range);
      JsonNode tooSlow =
          traceQl(app, "acme", "{ span.customer.tier = \"gold\" && duration > 30ms }", range);
      JsonNode archiveOnly = traceQl(app, "acme", failed, range + "&source=archive");
      JsonNode hotOnly = traceQl(app, "acme", failed, range + "&source=hot");
      JsonNode otherTenant = traceQl(app, "globex", failed, range);

      // Then each archived trace that matches comes back, complete, for its tenant only
      assertThat(traceIds(foundFailed)).containsExactly(failing.traceId().toHex());
      assertThat(foundFailed.get("partial").asBoolean()).isFalse();
      JsonNode t = foundFailed.get("traces").get(0);
      assertThat(t.get("rootServiceName").asText()).isEqualTo("frontend");
      assertThat(t.get("rootTraceName").asText()).isEqualTo("GET /pay");
      assertThat(t.get("spanSets").get(0).get("spans").get(0).get("name").asText())
          .isEqualTo("POST /charge");
      assertThat(traceIds(foundGold)).containsExactly(slowGold.traceId().toHex());
      assertThat(foundGold.get("partial").asBoolean()).isFalse();
      assertThat(traceIds(tooSlow)).isEmpty();
      assertThat(traceIds(archiveOnly)).containsExactly(failing.traceId().toHex());
      assertThat(traceIds(hotOnly)).isEmpty();
      assertThat(traceIds(otherTenant)).isEmpty();
    }

    // And when the archive search may open only one file, the answer says it is partial
    props.put("spanline.query.archive.search.max-files", "1");
    props.put("spanline.query.archive.search.parallelism", "1");
    try (QueryServiceApp app =
        QueryServiceApp.start(QueryConfigLoader.load(Map.of(), props), clock)) {
      JsonNode cut = traceQl(app, "acme", "{ resource.service.name = \"frontend\" }", range);
      assertThat(cut.get("partial").asBoolean()).isTrue();
      assertThat(cut.get("partialReason").asText()).contains("file limit of 1 reached");
      assertThat(cut.get("traces").size()).isBetween(1, 2);
    }
  }

  @Test
  void traceQlFallback_putsTheHotStoresTracesFirst_andATraceInBothStoresOnce(
      LocalOpenSearch node, LocalS3 server) throws Exception {
    String bucket = UniqueNames.unique("coldmerge");
    AssembledTrace both =
        TraceBuilder.trace()
            .tenant("acme")
            .root("frontend", "GET /pay", 40)
            .child("payments", "charge", 10)
            .error()
            .build();
    AssembledTrace archivedOnly =
        TraceBuilder.trace()
            .tenant("acme")
            .root("frontend", "GET /refund", 40)
            .child("payments", "refund", 10)
            .build();
    AssembledTrace olderHotOnly =
        TraceBuilder.trace()
            .tenant("acme")
            .shiftedBy(java.time.Duration.ofMinutes(-10))
            .root("frontend", "GET /basket", 40)
            .child("payments", "hold", 10)
            .error()
            .build();
    // Given one trace in both stores, an older one only in OpenSearch, a newer one only archived
    archive(server, bucket, List.of(List.of(both, archivedOnly)));
    Map<String, String> props = props(node, server, bucket);
    props.put(
        "spanline.query.index.prefix",
        io.spanline.query.testing.QueryFixture.index(node, List.of(both, olderHotOnly)));
    long startSeconds = both.summary().startEpochNanos() / 1_000_000_000L;
    Clock clock =
        Clock.fixed(Instant.ofEpochSecond(startSeconds + 20L * 24 * 3600), ZoneOffset.UTC);
    String range = "&start=" + (startSeconds - 3600) + "&end=" + (startSeconds + 3600);
    String payments = "{ resource.service.name = \"payments\" }";
    try (QueryServiceApp app =
        QueryServiceApp.start(QueryConfigLoader.load(Map.of(), props), clock)) {
      io.spanline.localinfra.Probe.until(
          "traces searchable",
          java.time.Duration.ofSeconds(30),
          java.time.Duration.ofMillis(200),
          () -> traceIds(traceQl(app, "acme", payments, range + "&source=hot")).size() == 2);

      // When TraceQL asks for the payments traces (the hot store holds fewer than the limit)
      JsonNode merged = traceQl(app, "acme", payments, range);
      JsonNode errors = traceQl(app, "acme", "{ status = error }", range);
      JsonNode enoughHot = traceQl(app, "acme", payments, range + "&limit=2");

      // Then the hot store's come first (most recent first), then the archive's it did not hold
      assertThat(traceIds(merged))
          .containsExactly(
              both.traceId().toHex(),
              olderHotOnly.traceId().toHex(),
              archivedOnly.traceId().toHex());
      assertThat(merged.get("partial").asBoolean()).isFalse();
      assertThat(traceIds(errors))
          .containsExactly(both.traceId().toHex(), olderHotOnly.traceId().toHex());
      // and with as many hot traces as the limit, the archive is not asked
      assertThat(traceIds(enoughHot))
          .containsExactly(both.traceId().toHex(), olderHotOnly.traceId().toHex());
    }
  }

  /**
   * Writes each list of traces (tenant acme, kept) as one Parquet file of the hour of the first
   * trace's start, as the archive sink does, into a new bucket.
   */
  private void archive(LocalS3 server, String bucket, List<List<AssembledTrace>> files)
      throws Exception {
    ArchiveLayout layout = new ArchiveLayout("spans");
    try (S3Client s3 =
        S3Clients.create(
            java.util.Optional.of(server.endpoint()),
            LocalS3.REGION,
            true,
            LocalS3.ACCESS_KEY,
            LocalS3.SECRET_KEY)) {
      s3.createBucket(b -> b.bucket(bucket));
      int offset = 0;
      for (List<AssembledTrace> batch : files) {
        List<GenericRecord> rows = new java.util.ArrayList<>();
        for (AssembledTrace t : batch) {
          rows.addAll(
              SpanRows.of(
                  new SampledTrace(
                      t,
                      new SamplingDecision(
                          "acme", t.traceId(), DecisionOutcome.KEEP, List.of("all"), 1.0, 0L))));
        }
        rows.sort(SpanRows.ORDER);
        Path file = dir.resolve(bucket + "-" + offset + ".parquet");
        new ParquetTraceWriter(1 << 20, 8 << 10).write(rows, batch.size(), file);
        new S3Uploader(s3, bucket, 64L << 20, 16L << 20)
            .upload(
                file,
                layout.fileKey(
                    "acme",
                    ArchiveLayout.hourOf(files.get(0).get(0).summary().startEpochNanos()),
                    0,
                    offset,
                    offset + batch.size() - 1));
        offset += batch.size();
      }
    }
  }

  /** The query service's settings: an empty OpenSearch index, the archive in the bucket. */
  private static Map<String, String> props(LocalOpenSearch node, LocalS3 server, String bucket) {
    Map<String, String> props = new java.util.HashMap<>();
    props.put("spanline.query.opensearch.hosts", node.uri().toString());
    props.put("spanline.query.index.prefix", UniqueNames.unique("empty"));
    props.put("spanline.query.s3.endpoint", server.endpoint().toString());
    props.put("spanline.query.s3.path-style", "true");
    props.put("spanline.query.s3.access-key", LocalS3.ACCESS_KEY);
    props.put("spanline.query.s3.secret-key", LocalS3.SECRET_KEY);
    props.put("spanline.query.s3.bucket", bucket);
    props.put("spanline.query.http.bind.address", "127.0.0.1");
    props.put("spanline.query.http.port", "0");
    props.put("spanline.query.admin.port", "0");
    return props;
  }

  private static JsonNode traceQl(QueryServiceApp app, String tenant, String q, String more)
      throws Exception {
    HttpResponse<byte[]> r =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .build()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://127.0.0.1:"
                                + app.port()
                                + "/api/search?q="
                                + java.net.URLEncoder.encode(
                                    q, java.nio.charset.StandardCharsets.UTF_8)
                                + more))
                    .header("X-Scope-OrgID", tenant)
                    .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private static List<String> traceIds(JsonNode answer) {
    List<String> out = new java.util.ArrayList<>();
    answer.get("traces").forEach(t -> out.add(t.get("traceID").asText()));
    return out;
  }

  private static JsonNode search(QueryServiceApp app, String tenant, String query)
      throws Exception {
    HttpResponse<byte[]> r =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .build()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + app.port() + "/v1/traces/search?" + query))
                    .header("X-Scope-OrgID", tenant)
                    .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private static HttpResponse<byte[]> get(QueryServiceApp app, String traceId, String tenant)
      throws Exception {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .build()
        .send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + app.port() + "/api/v3/traces/" + traceId))
                .header("X-Scope-OrgID", tenant)
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
  }
}
