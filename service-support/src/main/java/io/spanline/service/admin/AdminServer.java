package io.spanline.service.admin;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.annotation.Get;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;

/**
 * The admin port every Spanline process serves: {@code /healthz} (the process serves), {@code
 * /readyz} (200 when {@link Readiness#ready()}, else 503 with the problem) and {@code /metrics}
 * (Prometheus text format).
 */
public final class AdminServer implements AutoCloseable {
  private final Server server;

  private AdminServer(Server server) {
    this.server = server;
  }

  /**
   * Starts serving and returns once bound.
   *
   * @param port 0 picks a free port ({@link #port()} tells which)
   */
  public static AdminServer start(
      String bindAddress, int port, Readiness readiness, PrometheusMeterRegistry metrics) {
    Server server =
        Server.builder()
            .http(new InetSocketAddress(bindAddress, port))
            .annotatedService(new Endpoints(readiness, metrics))
            .build();
    server.start().join();
    return new AdminServer(server);
  }

  public int port() {
    return server.activeLocalPort();
  }

  @Override
  public void close() {
    server.stop().join();
  }

  /** The three endpoints. */
  public static final class Endpoints {
    private final Readiness readiness;
    private final PrometheusMeterRegistry metrics;

    Endpoints(Readiness readiness, PrometheusMeterRegistry metrics) {
      this.readiness = readiness;
      this.metrics = metrics;
    }

    @Get("/healthz")
    public HttpResponse healthz() {
      return HttpResponse.of(HttpStatus.OK, MediaType.PLAIN_TEXT_UTF_8, "ok\n");
    }

    @Get("/readyz")
    public HttpResponse readyz() {
      return readiness.ready()
          ? HttpResponse.of(HttpStatus.OK, MediaType.PLAIN_TEXT_UTF_8, "ready\n")
          : HttpResponse.of(
              HttpStatus.SERVICE_UNAVAILABLE,
              MediaType.PLAIN_TEXT_UTF_8,
              readiness.problem() + "\n");
    }

    @Get("/metrics")
    public HttpResponse metrics() {
      return HttpResponse.of(
          HttpStatus.OK,
          MediaType.parse("text/plain; version=0.0.4; charset=utf-8"),
          metrics.scrape());
    }
  }
}
