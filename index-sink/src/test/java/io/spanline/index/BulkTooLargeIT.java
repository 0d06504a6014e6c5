package io.spanline.index;

import static io.spanline.index.testing.IndexSinkHarness.kept;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.spanline.index.testing.IndexSinkHarness;
import io.spanline.index.testing.Queries;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.localinfra.opensearch.LocalOpenSearch;
import io.spanline.localinfra.registry.LocalSchemaRegistry;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.testing.TraceBuilder;
import io.spanline.storage.opensearch.Fields;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The index sink against a real OpenSearch node of its own whose {@code http.max_content_length} is
 * 256 KiB, so bulk requests above it get a real HTTP 413, with real Kafka and schema registry.
 */
@ExtendWith(LocalInfraExtension.class)
class BulkTooLargeIT {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final int NODE_LIMIT_BYTES = 256 * 1024;

  @TempDir static Path dir;
  private static LocalOpenSearch smallBodies;

  @BeforeAll
  static void startNodeWithSmallRequestLimit() throws Exception {
    smallBodies =
        LocalOpenSearch.start(
            dir.resolve("opensearch"),
            0,
            0,
            "512m",
            Map.of("http.max_content_length", NODE_LIMIT_BYTES / 1024 + "kb"));
  }

  @AfterAll
  static void stopNode() {
    if (smallBodies != null) {
      smallBodies.close();
    }
  }

  @Test
  void splitsBulkOn413_andDeadLettersOversizedDocument_andIndexesTheRest(
      LocalKafka kafka, LocalSchemaRegistry registry) throws Exception {
    // Given a sink whose byte bound is far above what the node accepts, and two tries per refusal
    try (IndexSinkHarness sink =
        IndexSinkHarness.start(
            kafka,
            registry,
            smallBodies.httpPort(),
            1,
            Map.of("bulk.max-bytes", String.valueOf(10 << 20), "bulk.refused.max-attempts", "2"))) {
      // When small traces come with one whose stored spans alone are larger than the node's limit
      // (a value gzip cannot shrink, off the allowlist: in the fragment document only)
      List<SampledTrace> traces = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        traces.add(
            kept(
                TraceBuilder.trace()
                    .root("api", "GET /" + i, 5)
                    .child("db", "SELECT " + i, 1)
                    .build(),
                "baseline"));
      }
      AssembledTrace oversized =
          TraceBuilder.trace()
              .root("upload", "POST /blob", 5)
              .attr("request.body", incompressible(NODE_LIMIT_BYTES + 100_000, 26))
              .child("store", "PUT blob", 1)
              .build();
      traces.add(5, kept(oversized, "baseline"));
      sink.send(traces.toArray(SampledTrace[]::new));

      // Then only the oversized trace's record is dead-lettered, after two refusals, as too large
      List<ConsumerRecord<byte[], byte[]>> dead = sink.deadLetters(1);
      assertThat(dead).hasSize(1);
      assertThat(new String(dead.get(0).key(), StandardCharsets.US_ASCII))
          .isEqualTo(oversized.traceId().toHex());
      assertThat(header(dead.get(0), "__streams.errors.exception")).isEqualTo("request_too_large");
      assertThat(header(dead.get(0), "__streams.errors.message"))
          .contains(oversized.traceId().toHex() + ":f0")
          .contains("refused 2 time(s)")
          .contains("http.max_content_length");
      // and every other document is indexed, the oversized trace's span documents and summary
      // included: only its fragment document (its stored spans) is lost
      sink.awaitAllCommitted(WAIT);
      sink.awaitCount(sink.spans(), Queries.all(), 22, WAIT);
      assertThat(
              sink.count(
                  sink.spans(),
                  Queries.term(Fields.SPAN_ID, oversized.spans().get(0).spanId().toHex())))
          .isEqualTo(1);
      assertThat(sink.count(sink.traces(), Queries.all())).isEqualTo(11);
      assertThat(sink.count(sink.fragments(), Queries.all())).isEqualTo(10);
      assertThat(
              sink.count(
                  sink.fragments(), Queries.term(Fields.TRACE_ID, oversized.traceId().toHex())))
          .isZero();
      // and the split and the dead letter are counted
      MeterRegistry metrics = sink.app().metrics().registry();
      assertThat(metrics.get("spanline.index.bulk.splits").counter().count()).isPositive();
      assertThat(
              metrics
                  .get("spanline.index.dead.letters")
                  .tag("reason", "too_large")
                  .counter()
                  .count())
          .isEqualTo(1);
    }
  }

  @Test
  void boundsBulkRequestBytes_soTheNodeNeverAnswers413ForDocumentsThatFitAlone(
      LocalKafka kafka, LocalSchemaRegistry registry) throws Exception {
    // Given a sink whose byte bound (128 KiB) is below the node's limit (256 KiB)
    try (IndexSinkHarness sink =
        IndexSinkHarness.start(
            kafka, registry, smallBodies.httpPort(), 1, Map.of("bulk.max-bytes", "131072"))) {
      // When each record's documents together are larger than the node's limit (a fragment
      // document of 19 spans with 10 KB values gzip cannot shrink, ~190 KB, and 20 span
      // documents), and five records together far larger, though each document alone fits
      List<SampledTrace> traces = new ArrayList<>();
      for (int t = 0; t < 5; t++) {
        TraceBuilder trace = TraceBuilder.trace().root("api", "GET /" + t, 50);
        for (int s = 0; s < 19; s++) {
          trace
              .child("worker", "step " + s, 1)
              .attr("payload", incompressible(10_000, t * 100 + s));
        }
        traces.add(kept(trace.build(), "baseline"));
      }
      sink.send(traces.toArray(SampledTrace[]::new));

      // Then everything is indexed without a single 413, split or dead letter
      sink.awaitAllCommitted(WAIT);
      sink.awaitCount(sink.spans(), Queries.all(), 100, WAIT);
      assertThat(sink.count(sink.traces(), Queries.all())).isEqualTo(5);
      assertThat(sink.count(sink.fragments(), Queries.all())).isEqualTo(5);
      MeterRegistry metrics = sink.app().metrics().registry();
      assertThat(
              metrics.find("spanline.index.bulk.errors").tag("type", "request_too_large").counter())
          .isNull();
      assertThat(metrics.get("spanline.index.bulk.splits").counter().count()).isZero();
      assertThat(metrics.find("spanline.index.dead.letters").counters()).isEmpty();
    }
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String key) {
    return new String(r.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
  }

  /** {@code length} letters and digits gzip cannot shrink much (about 6 bits per character). */
  private static String incompressible(int length, long seed) {
    java.util.Random random = new java.util.Random(seed);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    StringBuilder out = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      out.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return out.toString();
  }
}
