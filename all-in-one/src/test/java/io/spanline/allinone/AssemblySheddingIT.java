package io.spanline.allinone;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.allinone.testing.OtlpHttp;
import io.spanline.assembly.TraceAssemblyApp;
import io.spanline.assembly.config.AssemblyConfigLoader;
import io.spanline.gateway.Gateway;
import io.spanline.gateway.config.GatewayConfigLoader;
import io.spanline.localinfra.Probe;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.junit.UniqueNames;
import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.localinfra.registry.LocalSchemaRegistry;
import io.spanline.schemas.model.AnyValue;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.InstrumentationScope;
import io.spanline.schemas.model.Resource;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.SpanId;
import io.spanline.schemas.model.Status;
import io.spanline.schemas.model.StatusCode;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.model.TraceShedding;
import io.spanline.schemas.registry.RestSchemaRegistryClient;
import io.spanline.schemas.topic.SpanlineTopics;
import io.spanline.schemas.topic.TopicNames;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.serialization.Deserializer;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Overload shedding in the assembly stream at 10 times the load its bounds sustain, through the
 * gateway on a real Kafka broker: memory stays bounded, every error and debug trace is assembled
 * whole, the other traces are assembled whole or shed whole (never fragments), the shed share is on
 * {@code /metrics} and {@code /readyz} and matches what was sent, and the adjusted counts of the
 * kept traces add up to the traces sent.
 */
@ExtendWith(LocalInfraExtension.class)
class AssemblySheddingIT {
  private static final String TENANT = "acme";
  private static final String DEBUG = "spanline.debug";
  private static final int MAX_OPEN = 60;

  /**
   * A trace stays open about 2.3 s after its first span (idle timeout 2 s after its second request,
   * 100 ms later, plus the punctuation), so 60 open traces sustain about 26 new traces a second.
   */
  private static final int SUSTAINED_PER_SECOND = 26;

  private static final Duration STEP = Duration.ofMillis(100);

  @TempDir Path dir;

  private final Random random = new Random(2510);

  /** One trace sent in two requests: spans 0-1, then 2-3 one step later. */
  private record Sent(List<Span> spans, boolean error, boolean debug) {
    TraceId traceId() {
      return spans.get(0).traceId();
    }
  }

  @Test
  void atTenTimesTheSustainableLoad_tracesAreShedWhole_everyErrorTraceIsAssembledWhole(
      LocalKafka kafka, LocalSchemaRegistry registry) throws Exception {
    // Given a gateway and an assembly stream bounded to 60 open traces, shedding from half of them
    String otlp = UniqueNames.unique("otlp-spans");
    String assembled = UniqueNames.unique("assembled");
    String dlq = UniqueNames.unique("assembly-dlq");
    kafka.createTopics(2, List.of(otlp, assembled));
    kafka.createTopics(1, List.of(dlq));
    Map<String, String> props = new HashMap<>();
    Map<String, String> g = new HashMap<>();
    g.put("kafka.bootstrap.servers", kafka.bootstrapServers());
    g.put("topic.otlp-spans", otlp);
    g.put("bind.address", "127.0.0.1");
    g.put("admin.bind.address", "127.0.0.1");
    g.put("otlp.grpc.port", "0");
    g.put("otlp.http.port", "0");
    g.put("admin.port", "0");
    g.forEach((k, v) -> props.put("spanline.gateway." + k, v));
    Map<String, String> a = new HashMap<>();
    a.put("kafka.bootstrap.servers", kafka.bootstrapServers());
    a.put("schema-registry.url", registry.uri().toString());
    a.put("application.id", UniqueNames.unique("assembly"));
    a.put("topic.otlp-spans", otlp);
    a.put("topic.assembled-traces", assembled);
    a.put("topic.dead-letter", dlq);
    a.put("trace.idle.timeout.ms", "2000");
    a.put("trace.max.open", String.valueOf(MAX_OPEN));
    a.put("punctuation.interval.ms", "100");
    a.put("num.stream.threads", "1");
    a.put("shed.enabled", "true");
    a.put("shed.open-fraction", "0.5");
    a.put("state.dir", dir.resolve("assembly").toString());
    a.put("admin.bind.address", "127.0.0.1");
    a.put("admin.port", "0");
    a.forEach((k, v) -> props.put("spanline.assembly." + k, v));
    SpanlineTopics topics =
        new SpanlineTopics(
            new TopicNames(otlp, assembled, "unused-sampled", "unused-decisions", "unused-metrics"),
            new RestSchemaRegistryClient(registry.uri(), Duration.ofSeconds(10)));

    try (TraceAssemblyApp assembly =
            TraceAssemblyApp.start(AssemblyConfigLoader.load(Map.of(), props));
        Gateway gateway = Gateway.start(GatewayConfigLoader.load(Map.of(), props))) {
      String endpoint = "http://127.0.0.1:" + gateway.httpPort() + "/v1/traces";
      String assemblyAdmin = "http://127.0.0.1:" + assembly.adminPort();
      Probe.until(
          "the assembly stream ready",
          Duration.ofSeconds(60),
          Duration.ofMillis(200),
          () -> OtlpHttp.get(assemblyAdmin + "/readyz").startsWith("ready"));

      // When new traces arrive at the sustainable rate for 3 s, 2x for 2 s, 5x for 2 s, then 10x
      // for 10 s, each trace in two requests 100 ms apart; one in 100 has an error span, one in 100
      // a debug mark, both in its first request
      List<Sent> sent = new ArrayList<>();
      List<Sent> previous = List.of();
      List<Integer> statuses = new ArrayList<>();
      List<String> readyzDetails = new ArrayList<>();
      long maxHeapUsed = 0;
      long started = System.nanoTime();
      long tenXStarted = 0;
      int tenXFirst = 0;
      long closedEarlyBefore10x = 0;
      double openAtSustained = 0;
      int steps = 170;
      for (int step = 0; step < steps; step++) {
        if (step == 30) {
          openAtSustained = gauge(OtlpHttp.get(assemblyAdmin + "/metrics"), "open_traces");
        }
        if (step == 70) {
          tenXStarted = System.nanoTime();
          tenXFirst = sent.size();
          closedEarlyBefore10x =
              (long)
                  counter(
                      OtlpHttp.get(assemblyAdmin + "/metrics"),
                      "traces_closed_total",
                      "reason=\"overload\"");
        }
        long stepEnd = started + STEP.toNanos() * (step + 1);
        int perStep = step < 30 ? 2 + (step % 2 == 0 ? 1 : 0) : step < 50 ? 5 : step < 70 ? 13 : 26;
        List<Sent> now = new ArrayList<>();
        List<Span> firstHalves = new ArrayList<>();
        for (int i = 0; i < perStep; i++) {
          Sent s = trace(sent.size());
          sent.add(s);
          now.add(s);
          firstHalves.addAll(s.spans().subList(0, 2));
        }
        List<Span> secondHalves = new ArrayList<>();
        previous.forEach(s -> secondHalves.addAll(s.spans().subList(2, 4)));
        if (!secondHalves.isEmpty()) {
          statuses.add(OtlpHttp.post(endpoint, TENANT, secondHalves));
        }
        statuses.add(OtlpHttp.post(endpoint, TENANT, firstHalves));
        previous = now;
        if (step % 5 == 0) {
          String readyz = OtlpHttp.get(assemblyAdmin + "/readyz");
          if (readyz.contains("shedding:")) {
            readyzDetails.add(readyz.strip());
          }
          maxHeapUsed =
              Math.max(
                  maxHeapUsed, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        long wait = stepEnd - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000)); // pacing the load, not a wait
        }
      }
      List<Span> last = new ArrayList<>();
      previous.forEach(s -> last.addAll(s.spans().subList(2, 4)));
      statuses.add(OtlpHttp.post(endpoint, TENANT, last));
      double seconds = (System.nanoTime() - started) / 1e9;
      double tenXRate = (sent.size() - tenXFirst) / ((System.nanoTime() - tenXStarted) / 1e9);

      // Then the gateway accepted every request
      assertThat(statuses).containsOnly(200);

      // and every trace is either assembled or shed, and no more come
      Deserializer<AssembledTrace> values = topics.assembledTraces().valueSerde().deserializer();
      Map<TraceId, List<AssembledTrace>> out = new HashMap<>();
      long[] shed = {0};
      Probe.until(
          "every trace assembled or shed",
          Duration.ofSeconds(60),
          Duration.ofMillis(500),
          () -> {
            out.clear();
            LocalKafka.readToEnd(
                kafka.bootstrapServers(),
                assembled,
                r -> {
                  AssembledTrace t = values.deserialize(assembled, r.value());
                  out.computeIfAbsent(t.traceId(), id -> new ArrayList<>()).add(t);
                });
            shed[0] = (long) counter(OtlpHttp.get(assemblyAdmin + "/metrics"), "traces_shed_total");
            return out.size() + shed[0] >= sent.size();
          });
      assertThat(out.size() + shed[0]).isEqualTo(sent.size());
      assertThat(out.keySet()).isSubsetOf(sent.stream().map(Sent::traceId).toList());

      // and each assembled trace is whole: one record, fragment 0, its 4 spans
      assertThat(out.values())
          .allSatisfy(
              records -> {
                assertThat(records).hasSize(1);
                assertThat(records.get(0).fragment()).isZero();
                assertThat(records.get(0).spans()).hasSize(4);
              });

      // and every trace with an error span or a debug mark is among them, without adjusted count
      List<Sent> exempt = sent.stream().filter(s -> s.error() || s.debug()).toList();
      assertThat(exempt).isNotEmpty();
      assertThat(exempt)
          .allSatisfy(
              s -> {
                assertThat(out).containsKey(s.traceId());
                assertThat(adjustedCount(out.get(s.traceId()).get(0))).isEmpty();
              });

      // and most traces were shed, as /metrics and /readyz said; the adjusted counts of the kept
      // ones add up to the traces sent
      double shedShare = (double) shed[0] / sent.size();
      assertThat(shedShare).isGreaterThan(0.5);
      String metrics = OtlpHttp.get(assemblyAdmin + "/metrics");
      assertThat(counter(metrics, "spans_shed_total")).isEqualTo(4.0 * shed[0]);
      assertThat(metrics).containsPattern("(?m)^spanline_assembly_shed_level [0-4]\\.0$");
      assertThat(metrics).doesNotContain("spanline_streams_thread_failures_total{");
      assertThat(readyzDetails)
          .isNotEmpty()
          .allSatisfy(
              d ->
                  assertThat(d)
                      .matches(
                          "(?s)ready\nshedding: keeping 1/(2|4|8|16) of new traces \\(and every"
                              + " trace with an error span or a debug mark\\); \\d+ of 60 open"
                              + " traces, .*"));
      long weighed = 0;
      for (Sent s : sent) {
        List<AssembledTrace> t = out.get(s.traceId());
        if (t != null && !s.error() && !s.debug()) {
          long count = adjustedCount(t.get(0)).orElse(1L);
          assertThat(TraceShedding.keeps(s.traceId(), Long.numberOfTrailingZeros(count))).isTrue();
          weighed += count;
        }
      }
      assertThat(weighed).isCloseTo(sent.size() - exempt.size(), Percentage.withPercentage(25));
      long overloadCloses = (long) counter(metrics, "traces_closed_total", "reason=\"overload\"");
      System.out.printf(
          "assembly-shedding: %d traces in %.1f s (%.0f/s in the last 10 s, aiming at %d/s, 10x"
              + " the %d/s 60 open traces sustain), %d shed (share %.3f), %d assembled whole, %d of %d error/debug traces"
              + " kept, adjusted counts add up to %d of %d, %d closed early (overload; %d before the"
              + " 10x phase), %d readyz shedding lines, max heap used in the test JVM %d MiB; %.0f"
              + " open traces after 3 s at %d/s%n",
          sent.size(),
          seconds,
          tenXRate,
          10 * SUSTAINED_PER_SECOND,
          SUSTAINED_PER_SECOND,
          shed[0],
          shedShare,
          out.size(),
          exempt.size(),
          exempt.size(),
          weighed,
          sent.size() - exempt.size(),
          overloadCloses,
          closedEarlyBefore10x,
          readyzDetails.size(),
          maxHeapUsed >> 20,
          openAtSustained,
          SUSTAINED_PER_SECOND);
    }
  }

  /** Trace number {@code n}: one in 100 with an error span, one in 100 with a debug mark. */
  private Sent trace(int n) {
    boolean error = n % 100 == 0;
    boolean debug = n % 100 == 50;
    TraceId trace = new TraceId(random.nextLong() | 1, random.nextLong() | 1);
    SpanId root = new SpanId(random.nextLong() | 1);
    Resource resource = new Resource(List.of(Attribute.of("service.name", "shop")), 0, "");
    InstrumentationScope scope =
        new InstrumentationScope("assembly-shedding", "1", List.of(), 0, "");
    long start = System.currentTimeMillis() * 1_000_000L;
    List<Span> out = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Span.Builder b =
          Span.builder(trace, i == 0 ? root : new SpanId(random.nextLong() | 1))
              .name(i == 0 ? "GET /cart" : "call " + i)
              .time(start + i, start + 5_000_000L)
              .resource(resource)
              .scope(scope);
      if (i > 0) {
        b.parentSpanId(root);
      }
      if (i == 1 && error) {
        b.status(new Status(StatusCode.ERROR, "boom"));
      }
      if (i == 1 && debug) {
        b.addAttribute(Attribute.of(DEBUG, true));
      }
      out.add(b.build());
    }
    return new Sent(out, error, debug);
  }

  private static Optional<Long> adjustedCount(AssembledTrace t) {
    Optional<Long> max = Optional.empty();
    for (Span s : t.spans()) {
      Optional<AnyValue> v = Attribute.find(s.attributes(), TraceShedding.ADJUSTED_COUNT_ATTRIBUTE);
      if (v.isPresent() && v.get() instanceof AnyValue.LongValue l) {
        max = Optional.of(Math.max(l.value(), max.orElse(0L)));
      }
    }
    return max;
  }

  /** The value of {@code spanline_assembly_<name>{...tenant="acme"...}}, 0 when absent. */
  private static double counter(String metrics, String name, String... otherLabels) {
    Pattern p =
        Pattern.compile("^spanline_assembly_" + name + "\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE);
    Matcher m = p.matcher(metrics);
    while (m.find()) {
      String labels = m.group(1);
      boolean match = otherLabels.length > 0 || labels.contains("tenant=\"" + TENANT + "\"");
      for (String l : otherLabels) {
        match &= labels.contains(l);
      }
      if (match) {
        return Double.parseDouble(m.group(2));
      }
    }
    return 0;
  }

  /** The value of the gauge {@code spanline_assembly_<name>}, 0 when absent. */
  private static double gauge(String metrics, String name) {
    Matcher m =
        Pattern.compile("^spanline_assembly_" + name + " (\\S+)$", Pattern.MULTILINE)
            .matcher(metrics);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }
}
