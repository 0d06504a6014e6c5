package io.spanline.archive;

import static io.spanline.archive.testing.ArchiveSinkHarness.kept;
import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.archive.testing.ArchiveSinkHarness;
import io.spanline.localinfra.Ports;
import io.spanline.localinfra.Probe;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.junit.UniqueNames;
import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.localinfra.registry.LocalSchemaRegistry;
import io.spanline.localinfra.s3.LocalS3;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.testing.TraceBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
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
      Process killed = startChildJvm(settings, log);
      try {
        awaitReady(adminPort, killed, log);
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
              traces.stream()
                  .flatMap(t -> t.trace().spans().stream())
                  .collect(Collectors.toSet()));
    }
  }

  private static Process startChildJvm(Map<String, String> settings, Path log) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx512m");
    ArchiveSinkHarness.systemProperties(settings).forEach((k, v) -> cmd.add("-D" + k + "=" + v));
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(ArchiveSinkMain.class.getName());
    Files.createDirectories(log.toAbsolutePath().getParent());
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private static void awaitReady(int adminPort, Process process, Path log) {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest readyz =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/readyz")).build();
    Probe.until(
        "archive sink process on admin port " + adminPort + " (log: " + log + ")",
        Duration.ofSeconds(90),
        Duration.ofMillis(200),
        () -> {
          if (!process.isAlive()) {
            throw new Probe.GiveUp("archive sink process exited: " + Files.readString(log));
          }
          return http.send(readyz, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        });
  }
}
