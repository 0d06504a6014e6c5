package io.spanline.gateway;

import com.linecorp.armeria.common.grpc.GrpcSerializationFormats;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.grpc.GrpcService;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.spanline.gateway.config.GatewayConfig;
import io.spanline.gateway.grpc.OtlpGrpcService;
import io.spanline.gateway.http.OtlpHttpService;
import io.spanline.gateway.ingest.TraceIngestor;
import io.spanline.gateway.kafka.InFlightBudget;
import io.spanline.gateway.kafka.SpanRecordWriter;
import io.spanline.gateway.tenancy.GatewayInstances;
import io.spanline.gateway.tenancy.TenantRateLimiter;
import io.spanline.service.admin.AdminServer;
import io.spanline.service.admin.KafkaReadiness;
import io.spanline.service.admin.Readiness;
import io.spanline.service.tenancy.TenantLimitsSettings;
import io.spanline.service.tenancy.TenantResolver;
import io.spanline.service.tls.ServerTls;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running span ingest gateway: OTLP/gRPC, OTLP/HTTP and the admin endpoints, each on its own
 * port, writing to Kafka. Both OTLP ports speak TLS when {@code tls.enabled} (the same certificate,
 * reloaded when its files change, and optional client certificates: {@link ServerTls}).
 */
public final class Gateway implements AutoCloseable {
  /**
   * HTTP/2 frame size the gateway accepts (SETTINGS_MAX_FRAME_SIZE, RFC 9113 §6.5.2): an export
   * request of a few hundred KB then arrives in a frame or two instead of tens of 16 KB frames.
   */
  private static final int HTTP2_MAX_FRAME_BYTES = 1 << 20;

  /** HTTP/2 flow-control windows, so a client is not stalled waiting for WINDOW_UPDATEs. */
  private static final int HTTP2_WINDOW_BYTES = 16 << 20;

  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

  private final Server grpc;
  private final Server http;
  private final ServerTls tls;
  private final AdminServer admin;
  private final SpanRecordWriter writer;
  private final KafkaReadiness readiness;
  private final TenantLimitsSettings.Source limits;
  private final GatewayInstances instances;
  private final IntSupplier liveGateways;

  private Gateway(
      Server grpc,
      Server http,
      ServerTls tls,
      AdminServer admin,
      SpanRecordWriter writer,
      KafkaReadiness readiness,
      TenantLimitsSettings.Source limits,
      GatewayInstances instances,
      IntSupplier liveGateways) {
    this.limits = limits;
    this.instances = instances;
    this.liveGateways = liveGateways;
    this.grpc = grpc;
    this.http = http;
    this.tls = tls;
    this.admin = admin;
    this.writer = writer;
    this.readiness = readiness;
  }

  /** Starts serving; ports 0 in the config pick free ports ({@link #grpcPort()} etc. tell). */
  public static Gateway start(GatewayConfig config) {
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // first: a bad tenant-limits file stops the start before anything is opened
    TenantLimitsSettings.Source limits = config.tenantLimitsFile().open(metrics);
    SpanRecordWriter writer = new SpanRecordWriter(config, metrics);
    InFlightBudget budget = new InFlightBudget(config.maxInflightBytes());
    GatewayInstances instances =
        limits.fromFile()
            ? GatewayInstances.start(
                config.kafka(), config.topic(), config.membersGroup(), config.membersRefresh())
            : null;
    IntSupplier liveGateways = instances == null ? () -> 1 : instances::count;
    Gauge.builder("spanline.gateway.instances", liveGateways::getAsInt)
        .description(
            "Live gateways counted in the members consumer group (1 without a tenant-limits file):"
                + " the divisor of each tenant's global ingest rates")
        .register(metrics);
    TraceIngestor ingestor =
        new TraceIngestor(
            config, writer, budget, new TenantRateLimiter(config, limits, liveGateways), metrics);
    TenantResolver tenants = new TenantResolver(config.authEnabled(), config.apiKeys());
    KafkaReadiness readiness =
        new KafkaReadiness(config.kafka(), List.of(config.topic()), Duration.ofSeconds(5));
    long maxBody =
        config.tenantLimits().values().stream()
            .mapToLong(l -> l.maxRequestBytes())
            .reduce(config.defaultLimits().maxRequestBytes(), Math::max);
    Duration timeout = Duration.ofMillis(config.deliveryTimeoutMs() + config.maxBlockMs() + 5_000L);

    // one TLS for both OTLP ports: the same files, reloaded once for both
    ServerTls tls = ServerTls.start(config.tls(), "otlp", metrics);
    Server grpc =
        tls.listen(Server.builder(), new InetSocketAddress(config.bindAddress(), config.grpcPort()))
            .requestTimeout(timeout)
            .http2MaxFrameSize(HTTP2_MAX_FRAME_BYTES)
            .http2InitialConnectionWindowSize(HTTP2_WINDOW_BYTES)
            .http2InitialStreamWindowSize(HTTP2_WINDOW_BYTES)
            .service(
                GrpcService.builder()
                    .addService(OtlpGrpcService.definition(ingestor, tenants, config, metrics))
                    // OTLP/gRPC is protobuf only; with Armeria's default formats,
                    // application/grpc+json
                    // reached the raw-bytes method and ended in UNKNOWN (found by OtlpGrpcFuzzTest)
                    .supportedSerializationFormats(GrpcSerializationFormats.PROTO)
                    .maxRequestMessageLength((int) Math.min(Integer.MAX_VALUE, maxBody))
                    .useBlockingTaskExecutor(true)
                    .build())
            .build();
    Server http =
        tls.listen(Server.builder(), new InetSocketAddress(config.bindAddress(), config.httpPort()))
            .requestTimeout(timeout)
            .http2MaxFrameSize(HTTP2_MAX_FRAME_BYTES)
            .http2InitialConnectionWindowSize(HTTP2_WINDOW_BYTES)
            .http2InitialStreamWindowSize(HTTP2_WINDOW_BYTES)
            .maxRequestLength(maxBody)
            .service("/v1/traces", new OtlpHttpService(ingestor, tenants, config, metrics))
            .build();
    grpc.start().join();
    http.start().join();
    AdminServer admin =
        AdminServer.start(
            config.admin(),
            new Readiness() {
              @Override
              public boolean ready() {
                return readiness.ready();
              }

              @Override
              public String problem() {
                return readiness.problem();
              }

              @Override
              public String detail() {
                return ingestor.shedder().describe();
              }
            },
            metrics);
    Gateway gateway =
        new Gateway(grpc, http, tls, admin, writer, readiness, limits, instances, liveGateways);
    LOG.info(
        "Span ingest gateway serving OTLP/gRPC on {}, OTLP/HTTP on {}{}, admin on {}; writing to {}"
            + " at {}",
        gateway.grpcPort(),
        gateway.httpPort(),
        tls.enabled() ? " (TLS, client certificates " + config.tls().clientAuth() + ")" : "",
        gateway.adminPort(),
        config.topic(),
        config.bootstrapServers());
    return gateway;
  }

  public int grpcPort() {
    return grpc.activeLocalPort();
  }

  public int httpPort() {
    return http.activeLocalPort();
  }

  public int adminPort() {
    return admin.port();
  }

  /**
   * The live gateways this one counts (itself included, at least 1): the divisor of each tenant's
   * global ingest rates from the tenant-limits file; 1 without a file.
   */
  public int liveGateways() {
    return liveGateways.getAsInt();
  }

  /** Stops taking requests, lets those in flight finish, then closes the Kafka producer. */
  @Override
  public void close() {
    grpc.stop().join();
    http.stop().join();
    tls.close();
    admin.close();
    readiness.close();
    writer.close();
    if (instances != null) {
      instances.close();
    }
    limits.close();
  }
}
