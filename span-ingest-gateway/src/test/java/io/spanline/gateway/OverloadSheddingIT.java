package io.spanline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.gateway.testing.GatewayFixture;
import io.spanline.gateway.testing.OtlpHttp;
import io.spanline.gateway.testing.TestRequests;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.schemas.codec.otlp.OtlpProtoCodec;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.Status;
import io.spanline.schemas.model.StatusCode;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.model.TraceShedding;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Overload that keeps errors first, on a real broker: a gateway whose in-flight budget is held by a
 * long producer linger is driven by many clients at once, well above what it can pass; it sheds
 * whole traces by trace ID and keeps every trace with an error span, each whole; what it keeps
 * while shedding carries its adjusted count; the shedding shows on /metrics and /readyz.
 */
@ExtendWith(LocalInfraExtension.class)
class OverloadSheddingIT {
  private static final String PROTOBUF = "application/x-protobuf";
  private static final int CLIENTS = 12;
  private static final int REQUESTS_PER_CLIENT = 25;
  private static final int TRACES_PER_REQUEST = 20;
  private static final int SPANS_PER_TRACE = 5;

  @Test
  void underOverload_wholeTracesAreShed_andEveryErrorTraceIsKeptWhole(LocalKafka kafka)
      throws Exception {
    // Given a gateway holding each record 300 ms before sending (linger), with 1 MiB in flight at
    // most and shedding from a quarter of it
    try (GatewayFixture fixture =
        GatewayFixture.start(
            kafka,
            3,
            Map.of(
                "kafka.linger.ms", "300",
                "inflight.max-bytes", String.valueOf(1 << 20),
                "shed.inflight-fraction", "0.25",
                "retry-after.seconds", "1"),
            Map.of())) {
      // When 12 clients each send 25 requests of 20 traces (one with an error span), retrying
      // every 503 until it is accepted
      Set<TraceId> errorTraces = ConcurrentHashMap.newKeySet();
      Set<TraceId> otherTraces = ConcurrentHashMap.newKeySet();
      AtomicInteger refusals = new AtomicInteger();
      Set<String> readyzDetails = ConcurrentHashMap.newKeySet();
      ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
      long started = System.nanoTime();
      List<Future<?>> clients = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        Random random = new Random(c);
        clients.add(
            pool.submit(
                () -> {
                  for (int r = 0; r < REQUESTS_PER_CLIENT; r++) {
                    List<Span> spans = new ArrayList<>();
                    List<TraceId> traces = new ArrayList<>();
                    for (int t = 0; t < TRACES_PER_REQUEST; t++) {
                      TraceId id = new TraceId(random.nextLong() | 1, random.nextLong() | 1);
                      traces.add(id);
                      for (int s = 0; s < SPANS_PER_TRACE; s++) {
                        Span span = TestRequests.span(id, 8, 40);
                        if (t == 0 && s == SPANS_PER_TRACE - 1) {
                          span =
                              span.toBuilder()
                                  .status(new Status(StatusCode.ERROR, "payment failed"))
                                  .build();
                        }
                        spans.add(span);
                      }
                    }
                    byte[] body = TestRequests.protobuf(spans);
                    int status;
                    do {
                      status =
                          OtlpHttp.post(
                                  fixture.httpEndpoint(), PROTOBUF, body, "X-Scope-OrgID", "acme")
                              .statusCode();
                      if (status != 200) {
                        refusals.incrementAndGet();
                      }
                    } while (status == 503);
                    assertThat(status).isEqualTo(200);
                    errorTraces.add(traces.get(0));
                    otherTraces.addAll(traces.subList(1, traces.size()));
                  }
                  return null;
                }));
      }
      while (clients.stream().anyMatch(f -> !f.isDone())) {
        String body = OtlpHttp.get(fixture.adminUri() + "/readyz").body();
        if (body.contains("shedding:")) {
          readyzDetails.add(body.strip());
        }
        try {
          // waits for a client to finish, at most 200 ms, then looks at /readyz again
          clients.stream()
              .filter(f -> !f.isDone())
              .findFirst()
              .get()
              .get(200, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | java.util.NoSuchElementException e) {
          // still running, or all done meanwhile
        }
      }
      for (Future<?> f : clients) {
        f.get();
      }
      pool.shutdown();
      double seconds = (System.nanoTime() - started) / 1e9;

      // Then every error trace is in Kafka, whole, without an adjusted count
      Map<TraceId, Set<String>> spansByTrace = new HashMap<>();
      Map<TraceId, Optional<Long>> adjusted = new HashMap<>();
      for (GatewayFixture.Written w : fixture.readAll()) {
        for (Span s : OtlpProtoCodec.decode(w.value())) {
          spansByTrace.computeIfAbsent(s.traceId(), k -> new HashSet<>()).add(s.spanId().toHex());
          adjusted.put(
              s.traceId(),
              Attribute.find(s.attributes(), TraceShedding.ADJUSTED_COUNT_ATTRIBUTE)
                  .map(v -> ((io.spanline.schemas.model.AnyValue.LongValue) v).value()));
        }
      }
      assertThat(errorTraces).hasSize(CLIENTS * REQUESTS_PER_CLIENT);
      assertThat(errorTraces)
          .allSatisfy(
              id -> {
                assertThat(spansByTrace.get(id)).as("error trace %s", id).hasSize(SPANS_PER_TRACE);
                assertThat(adjusted.get(id)).isEmpty();
              });
      // every trace written is whole: shed traces lose all their spans, never some
      assertThat(spansByTrace.values()).allSatisfy(s -> assertThat(s).hasSize(SPANS_PER_TRACE));
      // some other traces were shed, and those kept while shedding carry a power of two
      long keptOthers = otherTraces.stream().filter(spansByTrace::containsKey).count();
      double shedShare = 1 - (double) keptOthers / otherTraces.size();
      assertThat(shedShare).isGreaterThan(0);
      assertThat(adjusted.values().stream().flatMap(Optional::stream))
          .isNotEmpty()
          .allSatisfy(n -> assertThat(n).isIn(2L, 4L, 8L, 16L));
      String metrics = OtlpHttp.get(fixture.adminUri() + "/metrics").body();
      assertThat(metrics).contains("spanline_gateway_spans_shed_total{tenant=\"acme\"}");
      assertThat(metrics).contains("spanline_gateway_shed_level");
      assertThat(readyzDetails)
          .anySatisfy(d -> assertThat(d).startsWith("ready\nshedding: keeping 1/"));
      Runtime rt = Runtime.getRuntime();
      System.out.printf(
          "overload: %d requests of %d spans in %.1f s (%.0f spans/s offered and accepted), %d"
              + " refusals retried; shed share of non-error traces %.3f; %d/%d error traces kept"
              + " whole; heap used %d MiB of %d MiB max%n",
          CLIENTS * REQUESTS_PER_CLIENT,
          TRACES_PER_REQUEST * SPANS_PER_TRACE,
          seconds,
          CLIENTS * REQUESTS_PER_CLIENT * TRACES_PER_REQUEST * SPANS_PER_TRACE / seconds,
          refusals.get(),
          shedShare,
          errorTraces.size(),
          errorTraces.size(),
          (rt.totalMemory() - rt.freeMemory()) >> 20,
          rt.maxMemory() >> 20);
    }
  }
}
