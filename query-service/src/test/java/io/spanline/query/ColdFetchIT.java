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

/** A trace no longer in OpenSearch (past hot retention) is read from the Parquet archive. */
@ExtendWith(LocalInfraExtension.class)
class ColdFetchIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void aTraceOnlyInTheArchiveIsReturnedFromIt_forItsTenantOnly(LocalOpenSearch node, LocalS3 server)
      throws Exception {
    String bucket = UniqueNames.unique("cold");
    ArchiveLayout layout = new ArchiveLayout("spans");
    AssembledTrace trace =
        TraceBuilder.trace()
            .tenant("acme")
            .root("frontend", "GET /cold", 40)
            .child("checkout", "POST /orders", 10)
            .build();
    // Given the trace in the archive (as the archive sink writes it), and nothing in OpenSearch
    try (S3Client s3 =
        S3Clients.create(
            java.util.Optional.of(server.endpoint()),
            LocalS3.REGION,
            true,
            LocalS3.ACCESS_KEY,
            LocalS3.SECRET_KEY)) {
      s3.createBucket(b -> b.bucket(bucket));
      List<GenericRecord> rows =
          SpanRows.of(
              new SampledTrace(
                  trace,
                  new SamplingDecision(
                      "acme", trace.traceId(), DecisionOutcome.KEEP, List.of("all"), 1.0, 0L)));
      rows.sort(SpanRows.ORDER);
      Path file = dir.resolve("f.parquet");
      new ParquetTraceWriter(1 << 20, 8 << 10).write(rows, 1, file);
      new S3Uploader(s3, bucket, 64L << 20, 16L << 20)
          .upload(
              file,
              layout.fileKey(
                  "acme", ArchiveLayout.hourOf(trace.summary().startEpochNanos()), 0, 0, 0));
    }
    Map<String, String> props =
        Map.of(
            "spanline.query.opensearch.hosts",
            node.uri().toString(),
            "spanline.query.index.prefix",
            UniqueNames.unique("empty"),
            "spanline.query.s3.endpoint",
            server.endpoint().toString(),
            "spanline.query.s3.path-style",
            "true",
            "spanline.query.s3.access-key",
            LocalS3.ACCESS_KEY,
            "spanline.query.s3.secret-key",
            LocalS3.SECRET_KEY,
            "spanline.query.s3.bucket",
            bucket,
            "spanline.query.http.bind.address",
            "127.0.0.1",
            "spanline.query.http.port",
            "0",
            "spanline.query.admin.port",
            "0");
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

  private static HttpResponse<byte[]> get(QueryServiceApp app, String traceId, String tenant)
      throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + app.port() + "/api/v3/traces/" + traceId))
                .header("X-Scope-OrgID", tenant)
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
  }
}
