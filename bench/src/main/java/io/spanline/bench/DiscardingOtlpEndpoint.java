package io.spanline.bench;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.Server;
import java.net.InetSocketAddress;

/**
 * An OTLP/HTTP traces endpoint that does nothing: Armeria reads each request body whole, as the
 * gateway's HTTP service does, and answers an empty {@code ExportTraceServiceResponse} (zero bytes
 * of protobuf: full success). No scan, no Kafka. Under the same load it shows how fast the HTTP
 * part alone can go on this machine: a ceiling for the gateway.
 */
final class DiscardingOtlpEndpoint implements AutoCloseable {
  private final Server server;

  private DiscardingOtlpEndpoint(Server server) {
    this.server = server;
  }

  static DiscardingOtlpEndpoint start() {
    Server server =
        Server.builder()
            .http(new InetSocketAddress("127.0.0.1", 0))
            .maxRequestLength(64L << 20)
            .service(
                "/v1/traces",
                (ctx, req) ->
                    HttpResponse.of(
                        req.aggregate()
                            .thenApply(
                                body ->
                                    HttpResponse.of(
                                        HttpStatus.OK,
                                        MediaType.parse("application/x-protobuf"),
                                        new byte[0]))))
            .build();
    server.start().join();
    return new DiscardingOtlpEndpoint(server);
  }

  String endpoint(String protocol) {
    return protocol + "://127.0.0.1:" + server.activeLocalPort() + "/v1/traces";
  }

  @Override
  public void close() {
    server.stop().join();
  }
}
