package io.spanline.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.spanline.localinfra.RawHttp;
import io.spanline.localinfra.RawHttp.Header;
import io.spanline.localinfra.opensearch.LocalOpenSearch;
import io.spanline.localinfra.s3.LocalS3;
import io.spanline.query.config.QueryConfigLoader;
import io.spanline.query.testing.QueryFixture;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.DecisionOutcome;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.model.SamplingDecision;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.testing.TraceBuilder;
import io.spanline.storage.archive.ArchiveLayout;
import io.spanline.storage.archive.S3Clients;
import io.spanline.storage.archive.internal.parquet.ParquetTraceWriter;
import io.spanline.storage.archive.internal.parquet.SpanRows;
import io.spanline.storage.archive.internal.s3.S3Uploader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Coverage-guided fuzzing of the running query service's HTTP API: fuzzed {@code GET} requests to
 * the API endpoints of {@link #ENDPOINTS} (native, Jaeger api_v3, Tempo; not yet Jaeger's HTTP API
 * under {@code /jaeger/api}, whose parsing {@code JaegerHttpQueryFuzzTest} fuzzes), sent over a
 * socket as raw HTTP/1.1, to a real query service over a real OpenSearch holding indexed traces and
 * a real S3 server holding an archived one (all started once per JVM), must be answered 2xx or 4xx,
 * never 5xx and never without an answer. The stores are running, so a 503 is a finding.
 *
 * <p>Input layout (seeds are readable with it; docs/fuzzing.md): byte 0 chooses the request's shape
 * — bits 0–3 the endpoint ({@link #ENDPOINTS}), bits 4–5 the tenant header ({@link #TENANTS}), bits
 * 6–7 the {@code Accept} header ({@link #ACCEPTS}). The rest up to the first {@code ?} is the path
 * parameter of endpoints that have one ({@code {}}), every byte other than {@code A-Z a-z 0-9 - . _
 * ~} percent-encoded; the rest after it is the query string, every byte other than those, {@code &
 * = % + : ,} percent-encoded (so the fuzzer can write malformed escapes too, and any byte reaches
 * the server).
 */
class QueryHttpFuzzTest {
  static final String[] ENDPOINTS = {
    "/v1/traces/search",
    "/v1/traces/{}",
    "/v1/services",
    "/v1/services/{}/operations",
    "/v1/dependencies",
    "/v1/attributes",
    "/v1/attributes/{}/values",
    "/api/v3/traces",
    "/api/v3/traces/{}",
    "/api/v3/services",
    "/api/v3/operations",
    "/api/search",
    "/api/traces/{}",
    "/api/v2/traces/{}",
    "/api/search/tags",
    "/api/search/tag/{}/values",
  };
  static final String[] TENANTS = {null, "acme", "globex", "not a tenant"};
  static final String[] ACCEPTS = {null, "application/json", "application/protobuf", "*/*"};

  @FuzzTest
  void answersAnyQuery_with2xxOr4xx(byte[] input) throws IOException {
    // Jazzer's SSRF detector reports every connection unless allowed (Jazzer resets this when
    // fuzzing starts): the test and the servers connect to 127.0.0.1 only; any other host would
    // still be reported.
    BugDetectors.allowNetworkConnections(
        (host, port) -> host.equals("localhost") || host.equals("127.0.0.1"));
    if (input.length == 0) {
      return;
    }
    int shape = input[0] & 0xff;
    String endpoint = ENDPOINTS[shape & 15];
    String tenant = TENANTS[(shape >> 4) & 3];
    String accept = ACCEPTS[shape >> 6];
    int question = 1;
    while (question < input.length && input[question] != '?') {
      question++;
    }
    ByteArrayOutputStream target = new ByteArrayOutputStream();
    int brace = endpoint.indexOf("{}");
    if (brace < 0) {
      target.writeBytes(endpoint.getBytes(StandardCharsets.US_ASCII));
    } else {
      target.writeBytes(endpoint.substring(0, brace).getBytes(StandardCharsets.US_ASCII));
      encode(input, 1, question, "", target);
      target.writeBytes(endpoint.substring(brace + 2).getBytes(StandardCharsets.US_ASCII));
    }
    if (question < input.length) {
      target.write('?');
      encode(input, question + 1, input.length, "&=%+:,", target);
    }
    List<Header> headers = new ArrayList<>();
    if (tenant != null) {
      headers.add(Header.of("X-Scope-OrgID", tenant));
    }
    if (accept != null) {
      headers.add(Header.of("Accept", accept));
    }

    RawHttp.Answer answer =
        RawHttp.send(
            Running.APP.port(), "GET", target.toByteArray(), headers, null, Duration.ofSeconds(60));

    if (brace >= 0 && endpoint.contains("/traces/") && timedOut(answer)) {
      // KNOWN OPEN BUG (docs/fuzzing.md, "Open findings"): a trace not in OpenSearch is looked for
      // in the archive hour by hour, one S3 listing per hour of the range (up to 366 days), which
      // outlasts Armeria's 10 s request timeout; not fixed yet, so not reported again here
      return;
    }
    assertThat(answer.status())
        .as(
            "answer to GET %s with %s:%n%s",
            target.toString(StandardCharsets.ISO_8859_1), headers, answer.text(600))
        .isBetween(200, 499);
  }

  /**
   * Armeria's own 503 for a request that outlasted the request timeout (not the API's JSON 503).
   */
  private static boolean timedOut(RawHttp.Answer answer) {
    return answer.status() == 503 && answer.text(4096).contains("\r\n\r\nStatus: 503");
  }

  /** Writes {@code input[from, to)}, bytes other than unreserved ones and {@code raw} as %XX. */
  private static void encode(
      byte[] input, int from, int to, String raw, ByteArrayOutputStream out) {
    for (int i = from; i < to; i++) {
      int b = input[i] & 0xff;
      if ((b >= 'A' && b <= 'Z')
          || (b >= 'a' && b <= 'z')
          || (b >= '0' && b <= '9')
          || "-._~".indexOf(b) >= 0
          || raw.indexOf(b) >= 0) {
        out.write(b);
      } else {
        out.writeBytes(String.format("%%%02X", b).getBytes(StandardCharsets.US_ASCII));
      }
    }
  }

  /**
   * The stores and the query service, started on first use, stopped when the JVM exits: four traces
   * of tenants {@code acme} and {@code globex} indexed in OpenSearch by the real index sink
   * (through Kafka, which is stopped after), and a fifth of {@code acme} only in the archive, all
   * starting at {@link TraceBuilder#START} (2025-11-22T08:26:40Z), with the IDs the seeds use:
   * {@code 0af7651916cd43dd8448eb211c80319c}, {@code 4bf92f3577b34da6a3ce929d0e0e4736}, {@code
   * 5b8efff798038103d269b633813fc60c} (acme), {@code 11111111111111111111111111111111} (globex),
   * the archived {@code c01dc01dc01dc01dc01dc01dc01dc01d} (acme).
   */
  private static final class Running {
    static final Path DATA =
        Path.of("target", "local-infra", "fuzz-" + ProcessHandle.current().pid());
    static final LocalOpenSearch OPENSEARCH;
    static final LocalS3 S3;
    static final QueryServiceApp APP;

    static {
      List<AssembledTrace> hot =
          List.of(
              TraceBuilder.trace()
                  .traceId(TraceId.fromHex("0af7651916cd43dd8448eb211c80319c"))
                  .tenant("acme")
                  .root("frontend", "GET /checkout", 120)
                  .child("checkout", "POST /orders", 80)
                  .attr("http.response.status_code", 200)
                  .child("payment", "charge", 30)
                  .build(),
              TraceBuilder.trace()
                  .traceId(TraceId.fromHex("4bf92f3577b34da6a3ce929d0e0e4736"))
                  .tenant("acme")
                  .root("frontend", "GET /search", 30)
                  .child("search", "query", 20)
                  .error()
                  .build(),
              TraceBuilder.trace()
                  .traceId(TraceId.fromHex("5b8efff798038103d269b633813fc60c"))
                  .tenant("acme")
                  .root("frontend", "GET /batch", 10)
                  .orphan("worker", "step", 1500, 10)
                  .build(),
              TraceBuilder.trace()
                  .traceId(TraceId.fromHex("11111111111111111111111111111111"))
                  .tenant("globex")
                  .root("frontend", "GET /checkout", 120)
                  .attr("globex.secret", "s3cr3t")
                  .child("ledger", "post", 10)
                  .build());
      AssembledTrace cold =
          TraceBuilder.trace()
              .traceId(TraceId.fromHex("c01dc01dc01dc01dc01dc01dc01dc01d"))
              .tenant("acme")
              .root("frontend", "GET /cold", 40)
              .child("checkout", "POST /orders", 10)
              .build();
      try {
        Files.createDirectories(DATA);
        OPENSEARCH = LocalOpenSearch.start(DATA.resolve("opensearch"), 0, 0, "512m");
        S3 = LocalS3.startTransient(0);
        String prefix;
        prefix = QueryFixture.index(OPENSEARCH, hot);
        String bucket = "fuzz-archive";
        archive(cold, bucket);
        Map<String, String> props = new HashMap<>();
        props.put("spanline.query.opensearch.hosts", OPENSEARCH.uri().toString());
        props.put("spanline.query.index.prefix", prefix);
        props.put("spanline.query.s3.endpoint", S3.endpoint().toString());
        props.put("spanline.query.s3.path-style", "true");
        props.put("spanline.query.s3.access-key", LocalS3.ACCESS_KEY);
        props.put("spanline.query.s3.secret-key", LocalS3.SECRET_KEY);
        props.put("spanline.query.s3.bucket", bucket);
        props.put("spanline.query.http.bind.address", "127.0.0.1");
        props.put("spanline.query.http.port", "0");
        props.put("spanline.query.admin.bind.address", "127.0.0.1");
        props.put("spanline.query.admin.port", "0");
        APP = QueryServiceApp.start(QueryConfigLoader.load(Map.of(), props));
      } catch (Exception e) {
        throw new IllegalStateException("cannot start the stores and the query service", e);
      }
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    APP.close();
                    try {
                      S3.close();
                    } catch (Exception e) {
                      // the JVM is ending
                    }
                    OPENSEARCH.close();
                    delete(DATA);
                  }));
    }

    /** Writes the trace into the bucket as the archive sink would. */
    private static void archive(AssembledTrace trace, String bucket) throws Exception {
      ArchiveLayout layout = new ArchiveLayout("spans");
      try (S3Client s3 =
          S3Clients.create(
              Optional.of(S3.endpoint()),
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
                        trace.tenant(),
                        trace.traceId(),
                        DecisionOutcome.KEEP,
                        List.of("all"),
                        1.0,
                        0L)));
        rows.sort(SpanRows.ORDER);
        Path file = DATA.resolve("cold.parquet");
        new ParquetTraceWriter(1 << 20, 8 << 10).write(rows, 1, file);
        new S3Uploader(s3, bucket, 64L << 20, 16L << 20)
            .upload(
                file,
                layout.fileKey(
                    trace.tenant(),
                    ArchiveLayout.hourOf(trace.summary().startEpochNanos()),
                    0,
                    0,
                    0));
      }
    }

    private static void delete(Path dir) {
      try (Stream<Path> paths = Files.walk(dir)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
