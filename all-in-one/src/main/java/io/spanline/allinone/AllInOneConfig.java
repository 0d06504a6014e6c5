package io.spanline.allinone;

import io.spanline.localinfra.LocalInfraConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * What the all-in-one starts and where.
 *
 * @param infra data folder and ports of the embedded Kafka, OpenSearch, S3-compatible store and
 *     schema registry (port 0 = a free port)
 * @param otlpGrpcPort the gateway's OTLP/gRPC port (architecture default 4317; 0 = a free port)
 * @param otlpHttpPort the gateway's OTLP/HTTP port (default 4318)
 * @param queryPort the query service's HTTP port: APIs and web UI (default 16686)
 * @param freeAdminPorts whether each service's admin port is a free port instead of its documented
 *     default (13133–13138)
 * @param settings settings of the services as system properties ({@code spanline.<app>.<key>}, app
 *     one of {@code gateway assembly sampling index archive query}); they override the all-in-one's
 *     own values, except the addresses of the embedded servers
 */
public record AllInOneConfig(
    LocalInfraConfig infra,
    int otlpGrpcPort,
    int otlpHttpPort,
    int queryPort,
    boolean freeAdminPorts,
    Map<String, String> settings) {

  public AllInOneConfig {
    Objects.requireNonNull(infra, "infra");
    settings = Map.copyOf(settings);
  }

  /** The architecture's default ports, data under {@code dataDir}. */
  static AllInOneConfig defaults(LocalInfraConfig infra, Map<String, String> settings) {
    return new AllInOneConfig(infra, 4317, 4318, 16686, false, settings);
  }

  /** Every server on a free port of 127.0.0.1, data under {@code dataDir}: for tests. */
  static AllInOneConfig freePorts(Path dataDir, Map<String, String> settings) {
    return new AllInOneConfig(
        new LocalInfraConfig(dataDir, 0, 0, 0, 0, 0, "512m", 0, 0, 0, 0), 0, 0, 0, true, settings);
  }

  Path dataDir() {
    return infra.dataDir();
  }
}
