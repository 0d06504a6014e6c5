package io.spanline.chaos;

import io.spanline.allinone.SpanlineMain;
import io.spanline.localinfra.Ports;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code spanline up} in a JVM of its own, as a user runs it: every server and service in one
 * process (OpenSearch in a child JVM under it), on fixed free ports and one data folder, so that a
 * {@code kill -9} takes everything down at once and a restart finds the data where it was.
 */
final class AllInOneProcess implements Endpoints, AutoCloseable {
  private final ChildJvm jvm;
  private final int kafkaPort = Ports.freePort();
  private final int openSearchPort = Ports.freePort();
  private final int s3Port = Ports.freePort();
  private final int registryPort = Ports.freePort();
  private final int otlpHttpPort = Ports.freePort();
  private final int queryPort = Ports.freePort();

  AllInOneProcess(Path data, Path log) throws IOException {
    Files.createDirectories(data);
    Map<String, String> props = new HashMap<>();
    props.put("spanline.data.dir", data.toString());
    props.put("spanline.kafka.port", String.valueOf(kafkaPort));
    props.put("spanline.kafka.controller.port", String.valueOf(Ports.freePort()));
    // every port chosen here, before the child starts, so none it picks itself can collide
    props.put("spanline.kafka.secured.port", String.valueOf(Ports.freePort()));
    props.put("spanline.registry.secured.port", String.valueOf(Ports.freePort()));
    props.put("spanline.opensearch.secured.port", String.valueOf(Ports.freePort()));
    props.put("spanline.opensearch.port", String.valueOf(openSearchPort));
    props.put("spanline.opensearch.transport.port", String.valueOf(Ports.freePort()));
    props.put("spanline.s3.port", String.valueOf(s3Port));
    props.put("spanline.registry.port", String.valueOf(registryPort));
    props.put("spanline.gateway.otlp.grpc.port", String.valueOf(Ports.freePort()));
    props.put("spanline.gateway.otlp.http.port", String.valueOf(otlpHttpPort));
    props.put("spanline.query.http.port", String.valueOf(queryPort));
    props.put("spanline.assembly.trace.idle.timeout.ms", "3000");
    props.put("spanline.assembly.punctuation.interval.ms", "500");
    props.put("spanline.index.index.refresh-interval", "1s");
    props.put("spanline.archive.roll.max.age.ms", "2000");
    Map<String, Integer> adminPorts = new HashMap<>();
    for (String app : Pipeline.SERVICES) {
      int port = Ports.freePort();
      adminPorts.put(app, port);
      props.put("spanline." + app + ".admin.port", String.valueOf(port));
    }
    this.jvm =
        new ChildJvm(
            "all-in-one",
            SpanlineMain.class,
            props,
            List.of("up"),
            "3g",
            log,
            () -> {
              for (int port : adminPorts.values()) {
                if (!ChildJvm.httpOk(port, "/readyz").call()) {
                  return false;
                }
              }
              return true;
            });
  }

  void start() throws IOException {
    jvm.start();
    jvm.awaitReady(Pipeline.START_TIMEOUT);
  }

  /** {@code kill -9}, then {@code spanline up} again on the same data once OpenSearch is gone. */
  void killAndRestart() throws Exception {
    jvm.kill();
    Pipeline.awaitClosed(openSearchPort, Duration.ofMinutes(2));
    jvm.start();
  }

  void awaitReady(Duration timeout) {
    jvm.awaitReady(timeout);
  }

  boolean ready() {
    return jvm.ready();
  }

  @Override
  public String otlpHttpEndpoint() {
    return "http://127.0.0.1:" + otlpHttpPort + "/v1/traces";
  }

  @Override
  public URI queryUri() {
    return URI.create("http://127.0.0.1:" + queryPort + "/");
  }

  @Override
  public String kafkaBootstrapServers() {
    return "127.0.0.1:" + kafkaPort;
  }

  @Override
  public URI registryUri() {
    return URI.create("http://127.0.0.1:" + registryPort);
  }

  @Override
  public URI s3Endpoint() {
    return URI.create("http://127.0.0.1:" + s3Port);
  }

  @Override
  public void close() {
    try {
      jvm.kill();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    Pipeline.awaitClosed(openSearchPort, Duration.ofMinutes(2));
  }
}
