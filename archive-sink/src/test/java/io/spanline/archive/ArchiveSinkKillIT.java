package io.spanline.archive;

import static io.spanline.archive.testing.ArchiveSinkHarness.kept;
import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.archive.testing.ArchiveSinkHarness;
import io.spanline.localinfra.Ports;
import io.spanline.localinfra.Probe;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.junit.ServiceProcess;
import io.spanline.localinfra.junit.UniqueNames;
import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.localinfra.registry.LocalSchemaRegistry;
import io.spanline.localinfra.s3.LocalS3;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.testing.TraceBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * An archive sink in its own JVM is killed (SIGKILL) while it reads and uploads rolls under load;
 * another takes over the consumer group: every span is in the archive exactly once.
 */
@ExtendWith(LocalInfraExtension.class)
class ArchiveSinkKillIT {
  private static final int TRACES = 4000;

  @TempDir Path dir;

  @Test
  void killedMidFileAndRestarted_everySpanIsArchivedExactlyOnce(
      LocalKafka kafka, LocalSchemaRegistry registry, LocalS3 s3) throws Exception {
    try (ArchiveSinkHarness h =
        ArchiveSinkHarness.create(
            kafka,
            registry,
            s3,
            dir.resolve("work"),
            3,
            Map.of(
                "roll.max.bytes", String.valueOf(1 << 20),
                "roll.max.age.ms", "1000",
                // the group notices the killed member within seconds, not the default 45 s
                "consumer.session.timeout.ms", "6000",
                "consumer.heartbeat.interval.ms", "1000"))) {
      List<SampledTrace> traces = new ArrayList<>();
      for (int i = 0; i < TRACES; i++) {
        traces.add(
            kept(
                TraceBuilder.trace()
                    .tenant(i % 5 == 0 ? "acme" : "default")
                    .root("frontend", "GET /" + i % 9, 10 + i % 40)
                    .child("checkout", "POST /orders", 5)
                    .children(i % 6, "checkout")
                    .build(),
                "baseline"));
      }
      long spans = traces.stream().mapToLong(t -> t.trace().spans().size()).sum();
      int adminPort = Ports.freePort();
      Map<String, String> settings = new HashMap<>(h.settings());
      settings.put("admin.port", String.valueOf(adminPort));
      settings.put("work.dir", dir.resolve("work-killed").toString());
      Path log = Path.of("target", UniqueNames.unique("killed-archive-sink") + ".log");
      Process killed =
          ServiceProcess.start(ArchiveSinkMain.class, "spanline.archive.", settings, log);
      try {
        ServiceProcess.awaitReady(adminPort, killed, log);
        // Given a sink that has archived part of a steady stream of traces
        h.send(traces.subList(0, 1500));
        Probe.until(
            "first sink committing rolls",
            Duration.ofSeconds(90),
            Duration.ofMillis(50),
            () -> h.committedRecords() >= 500);
        h.send(traces.subList(1500, 2500));

        // When it is killed in the middle of its rolls, and another sink takes over
        killed.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        assertThat(killed.isAlive()).isFalse();
        assertThat(h.committedRecords()).isLessThan(2500);
        try (ArchiveSinkApp successor = h.startSink()) {
          h.send(traces.subList(2500, TRACES));
          h.awaitAllCommitted(Duration.ofSeconds(120));
        }
      } finally {
        killed.destroyForcibly();
      }

      // Then every span is in the archive exactly once
      List<GenericRecord> rows = h.allRows(dir.resolve("download"));
      assertThat(rows).hasSize((int) spans);
      assertThat(
              rows.stream().map(r -> r.get("trace_id") + ":" + r.get("span_id")).distinct().count())
          .isEqualTo(spans);
      // (sets: with the counts above equal, the same set means the same spans, each once)
      assertThat(new HashSet<>(ArchiveSinkHarness.spans(rows)))
          .isEqualTo(
              traces.stream().flatMap(t -> t.trace().spans().stream()).collect(Collectors.toSet()));
    }
  }
}
