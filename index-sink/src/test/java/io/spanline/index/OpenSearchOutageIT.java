package io.spanline.index;

import static io.spanline.index.testing.IndexSinkHarness.kept;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spanline.index.testing.IndexSinkHarness;
import io.spanline.index.testing.Queries;
import io.spanline.localinfra.Probe;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.localinfra.opensearch.LocalOpenSearch;
import io.spanline.localinfra.registry.LocalSchemaRegistry;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.testing.TraceBuilder;
import io.spanline.storage.opensearch.Fields;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * OpenSearch stops for 30 s while traces keep arriving, then starts again on the same port and
 * data: the sink pauses, backs off, resumes, and every trace ends up indexed exactly once.
 */
@ExtendWith(LocalInfraExtension.class)
class OpenSearchOutageIT {
  private static final int TRACES = 3000;
  private static final int SPANS_PER_TRACE = 5;
  private static final int TRACES_PER_SECOND = 60;
  private static final Duration OUTAGE = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void indexesEveryTraceExactlyOnce_whenOpenSearchIsDownFor30sUnderLoad(
      LocalKafka kafka, LocalSchemaRegistry registry) throws Exception {
    LocalOpenSearch node = LocalOpenSearch.start(dir.resolve("opensearch"), 0, 0, "512m");
    int port = node.httpPort();
    List<SampledTrace> traces = new ArrayList<>();
    for (int i = 0; i < TRACES; i++) {
      traces.add(
          kept(
              TraceBuilder.trace()
                  .tenant(i % 3 == 0 ? "acme" : "default")
                  .root("frontend", "GET /" + (i % 10), 20 + i % 50)
                  .child("checkout", "POST /orders", 10)
                  .children(SPANS_PER_TRACE - 2, "checkout")
                  .build(),
              "baseline"));
    }
    ExecutorService load = Executors.newSingleThreadExecutor();
    try (IndexSinkHarness sink =
        IndexSinkHarness.start(
            kafka,
            registry,
            port,
            3,
            Map.of("opensearch.request.timeout.ms", "5000", "bulk.max-actions", "1000"))) {
      // Given traces arriving at a steady rate for about 50 s
      Future<?> sending =
          load.submit(
              () -> {
                long next = System.nanoTime();
                for (int i = 0; i < TRACES; i += TRACES_PER_SECOND / 10) {
                  sink.send(
                      traces
                          .subList(i, Math.min(TRACES, i + TRACES_PER_SECOND / 10))
                          .toArray(SampledTrace[]::new));
                  next += TimeUnit.MILLISECONDS.toNanos(100);
                  TimeUnit.NANOSECONDS.sleep(Math.max(0, next - System.nanoTime()));
                }
                return null;
              });
      Probe.until(
          "first traces indexed",
          Duration.ofSeconds(60),
          Duration.ofMillis(200),
          () -> sink.count(sink.traces(), Queries.all()) >= 200);

      // When OpenSearch stops for 30 s under that load and starts again on the same data
      node.close();
      Probe.until("sink paused", OUTAGE, Duration.ofMillis(100), () -> pausedConsumers(sink) >= 1);
      Thread.sleep(OUTAGE.toMillis()); // the outage itself, not a wait for a condition
      node = LocalOpenSearch.start(dir.resolve("opensearch"), port, 0, "512m");
      sending.get(2, TimeUnit.MINUTES);

      // Then every span and every summary is there, once
      sink.awaitCount(
          sink.spans(), Queries.all(), (long) TRACES * SPANS_PER_TRACE, Duration.ofMinutes(3));
      sink.awaitCount(sink.traces(), Queries.all(), TRACES, Duration.ofMinutes(1));
      sink.awaitAllCommitted(Duration.ofMinutes(1));
      List<ObjectNode> summaries = sink.search(sink.traces(), Queries.all());
      assertThat(summaries).hasSize(TRACES);
      assertThat(summaries)
          .allSatisfy(
              s -> {
                assertThat(s.get(Fields.SPAN_COUNT).asInt()).isEqualTo(SPANS_PER_TRACE);
                assertThat(s.get(Fields.FRAGMENTS).size()).isEqualTo(1);
              });
      assertThat(summaries.stream().map(s -> s.get(Fields.TRACE_ID).asText()).distinct().count())
          .isEqualTo(TRACES);
      assertThat(sink.count(sink.spans(), Queries.all()))
          .isEqualTo((long) TRACES * SPANS_PER_TRACE);
      Probe.until(
          "consumers resumed",
          Duration.ofSeconds(10),
          Duration.ofMillis(50),
          () -> pausedConsumers(sink) == 0);
      assertThat(sink.app().metrics().registry().get("spanline.index.retries").counter().count())
          .isPositive();
      assertThat(sink.app().metrics().registry().find("spanline.index.dead.letters").counters())
          .isEmpty();
    } finally {
      load.shutdownNow();
      node.close();
    }
  }

  private static double pausedConsumers(IndexSinkHarness sink) {
    return sink.app().metrics().registry().get("spanline.index.paused.consumers").gauge().value();
  }
}
