package io.spanline.service.admin;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.annotation.Get;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.spanline.service.internal.tenancy.KeyDigests;
import io.spanline.service.tls.ServerTls;
import java.net.InetSocketAddress;

/**
 * The admin port every Spanline process serves: {@code /healthz} (the process serves), {@code
 * /readyz} (200 when {@link Readiness#ready()}, else 503 with the problem) and {@code /metrics}
 * (Prometheus text format), with the JVM and process meters bound to the registry it serves. Over
 * TLS when {@code admin.tls.enabled}; with an admin key ({@link AdminSettings}), {@code /readyz}
 * and {@code /metrics} answer 401 to a request without {@code Authorization: Bearer <key>}, while
 * {@code /healthz} stays open.
 */
public final class AdminServer implements AutoCloseable {
  /** The one path an admin key leaves open: liveness probes carry no key. */
  private static final String OPEN_PATH = "/healthz";

  private final Server server;
  private final ServerTls tls;
  private final JvmGcMetrics gcMetrics;

  private AdminServer(Server server, ServerTls tls, JvmGcMetrics gcMetrics) {
    this.server = server;
    this.tls = tls;
    this.gcMetrics = gcMetrics;
  }

  /**
   * Starts serving and returns once bound.
   *
   * @param settings address, port (0 picks a free port, {@link #port()} tells which), TLS and key
   * @throws IllegalArgumentException naming the setting when the TLS files cannot be used
   */
  public static AdminServer start(
      AdminSettings settings, Readiness readiness, PrometheusMeterRegistry metrics) {
    JvmGcMetrics gcMetrics = bindProcessMetrics(metrics);
    ServerTls tls = ServerTls.start(settings.tls(), "admin", metrics);
    ServerBuilder builder =
        tls.listen(
            Server.builder(), new InetSocketAddress(settings.bindAddress(), settings.port()));
    settings.keyDigest().ifPresent(digest -> builder.decorator(requireKey(digest)));
    Server server = builder.annotatedService(new Endpoints(readiness, metrics)).build();
    try {
      server.start().join();
    } catch (RuntimeException e) {
      tls.close();
      gcMetrics.close();
      throw e;
    }
    return new AdminServer(server, tls, gcMetrics);
  }

  /**
   * The JVM and process meters every service reports: memory pools and buffers ({@code
   * jvm_memory_*}, {@code jvm_buffer_*}), GC pauses and promotion ({@code jvm_gc_*}), threads
   * ({@code jvm_threads_*}), classes, CPU ({@code process_cpu_usage}, {@code system_cpu_*}), open
   * files ({@code process_files_*}) and uptime ({@code process_uptime_seconds}, {@code
   * process_start_time_seconds}). Kafka client meters ({@code kafka_*}) are bound where the clients
   * are made.
   */
  private static JvmGcMetrics bindProcessMetrics(MeterRegistry registry) {
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    return gc;
  }

  /**
   * 401 for every path but {@code /healthz} (so {@code /readyz}, {@code /metrics}, and any other
   * spelling of them) without the key; the key is never echoed.
   */
  private static DecoratingHttpServiceFunction requireKey(byte[] digest) {
    return (delegate, ctx, req) -> {
      if (OPEN_PATH.equals(ctx.path())) {
        return delegate.serve(ctx, req);
      }
      String authorization = req.headers().get(HttpHeaderNames.AUTHORIZATION);
      if (authorization != null
          && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
          && KeyDigests.same(KeyDigests.sha256(authorization.substring(7).trim()), digest)) {
        return delegate.serve(ctx, req);
      }
      return HttpResponse.of(
          ResponseHeaders.of(
              HttpStatus.UNAUTHORIZED,
              HttpHeaderNames.WWW_AUTHENTICATE,
              "Bearer realm=\"spanline-admin\"",
              HttpHeaderNames.CONTENT_TYPE,
              MediaType.PLAIN_TEXT_UTF_8),
          HttpData.ofUtf8("admin key required: send Authorization: Bearer <admin.auth.key>\n"));
    };
  }

  public int port() {
    return server.activeLocalPort();
  }

  @Override
  public void close() {
    server.stop().join();
    tls.close();
    gcMetrics.close();
  }

  /** The three endpoints. */
  public static final class Endpoints {
    private final Readiness readiness;
    private static final String OPENMETRICS =
        "application/openmetrics-text; version=1.0.0; charset=utf-8";
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
      String detail = readiness.detail();
      return readiness.ready()
          ? HttpResponse.of(
              HttpStatus.OK,
              MediaType.PLAIN_TEXT_UTF_8,
              detail.isEmpty() ? "ready\n" : "ready\n" + detail + "\n")
          : HttpResponse.of(
              HttpStatus.SERVICE_UNAVAILABLE,
              MediaType.PLAIN_TEXT_UTF_8,
              readiness.problem() + "\n");
    }

    /**
     * Prometheus text format, or OpenMetrics (with exemplars) when the scraper asks for it, as
     * Prometheus does with {@code Accept: application/openmetrics-text}.
     */
    @Get("/metrics")
    public HttpResponse metrics(RequestHeaders headers) {
      String accept = headers.get(HttpHeaderNames.ACCEPT, "");
      String type =
          accept.contains("application/openmetrics-text")
              ? OPENMETRICS
              : "text/plain; version=0.0.4; charset=utf-8";
      return HttpResponse.of(HttpStatus.OK, MediaType.parse(type), metrics.scrape(type));
    }
  }
}
