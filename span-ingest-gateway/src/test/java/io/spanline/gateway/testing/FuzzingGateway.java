package io.spanline.gateway.testing;

import io.spanline.localinfra.kafka.LocalKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The gateway the HTTP-level fuzz tests send to, with its Kafka broker: started once per JVM, on
 * first use, on 127.0.0.1 and free ports, stopped when the JVM exits (docs/fuzzing.md).
 *
 * <p>The gateway runs with its defaults except one setting: spans may start up to 20 years back
 * ({@code span.start.max-age.ms}), so seeds made from the conformance traces (2017) stay within the
 * window and reach the Kafka write; spans from before then or more than an hour ahead are still
 * rejected. Tenant {@code small} has tight limits, so the limit paths (which decode spans) are
 * reached too, and two redaction rules rewrite attributes.
 */
public final class FuzzingGateway {
  private static final Path DATA =
      Path.of("target", "local-infra", "fuzz-" + ProcessHandle.current().pid());
  private static final LocalKafka KAFKA;
  public static final GatewayFixture GATEWAY;

  static {
    try {
      Files.createDirectories(DATA);
      Path configFile = DATA.resolve("gateway.yaml");
      Files.writeString(
          configFile,
          """
          tenants:
            small:
              max-spans-per-request: 3
              max-attributes-per-span: 2
              max-attribute-value-bytes: 8
              max-events-per-span: 1
              max-links-per-span: 1
          redaction:
            - key: user.email
              action: hash
            - key: http.url
              action: mask
              pattern: "token=[^&]*"
              replacement: "token=***"
          """);
      KAFKA = LocalKafka.start(DATA.resolve("kafka"), 0, 0);
      GATEWAY =
          GatewayFixture.start(
              KAFKA,
              2,
              Map.of("span.start.max-age.ms", String.valueOf(20L * 365 * 24 * 3600 * 1000)),
              Map.of("SPANLINE_GATEWAY_CONFIG_FILE", configFile.toString()));
    } catch (Exception e) {
      throw new IllegalStateException("cannot start Kafka and the gateway for fuzzing", e);
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  GATEWAY.close();
                  KAFKA.close();
                  delete(DATA);
                }));
  }

  private FuzzingGateway() {}

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
