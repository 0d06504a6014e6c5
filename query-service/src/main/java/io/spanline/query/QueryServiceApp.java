package io.spanline.query;

import com.linecorp.armeria.common.ServerCacheControl;
import com.linecorp.armeria.common.metric.MeterIdPrefixFunction;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.file.FileService;
import com.linecorp.armeria.server.metric.MetricCollectingService;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.spanline.query.api.ArchiveWindow;
import io.spanline.query.api.SummarySearch;
import io.spanline.query.api.TieredTraceQlSearch;
import io.spanline.query.api.TraceLookup;
import io.spanline.query.api.TraceQuerySearch;
import io.spanline.query.api.jaeger.JaegerApiV3;
import io.spanline.query.api.jaeger.JaegerHttpApi;
import io.spanline.query.api.tempo.TempoApi;
import io.spanline.query.api.v1.NativeApi;
import io.spanline.query.config.QueryConfig;
import io.spanline.query.tenancy.RequestTenants;
import io.spanline.query.tenancy.TenantQueryLimits;
import io.spanline.service.admin.AdminServer;
import io.spanline.service.admin.Readiness;
import io.spanline.service.tenancy.TenantLimitsSettings;
import io.spanline.service.tenancy.TenantResolver;
import io.spanline.service.tls.ServerTls;
import io.spanline.storage.FallbackTraceStore;
import io.spanline.storage.TraceStore;
import io.spanline.storage.archive.ArchiveTraceSearch;
import io.spanline.storage.archive.ArchiveTraceStore;
import io.spanline.storage.archive.ColdTraceReader;
import io.spanline.storage.archive.S3Clients;
import io.spanline.storage.opensearch.OpenSearchConnection;
import io.spanline.storage.opensearch.OpenSearchTraceStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The query service process: the HTTP API port (native, Jaeger api_v3, Jaeger's HTTP API under
 * {@code /jaeger}, Tempo, web UI) over OpenSearch and, for traces no longer hot, the Parquet
 * archive; the admin port ({@code /healthz}, {@code /readyz} = OpenSearch answers, {@code /metrics}
 * with Armeria's per-endpoint request metrics).
 */
public final class QueryServiceApp implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(QueryServiceApp.class);

  private final OpenSearchConnection openSearch;
  private final Optional<S3Client> s3;
  private final Server server;
  private final ServerTls tls;
  private final AdminServer admin;
  private final TenantLimitsSettings.Source tenantLimits;

  private QueryServiceApp(
      OpenSearchConnection openSearch,
      Optional<S3Client> s3,
      Server server,
      ServerTls tls,
      AdminServer admin,
      TenantLimitsSettings.Source tenantLimits) {
    this.tenantLimits = tenantLimits;
    this.openSearch = openSearch;
    this.s3 = s3;
    this.server = server;
    this.tls = tls;
    this.admin = admin;
  }

  public static QueryServiceApp start(QueryConfig config) {
    return start(config, Clock.systemUTC());
  }

  public static QueryServiceApp start(QueryConfig config, Clock clock) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // first: a bad tenant-limits file stops the start before anything is opened
    TenantLimitsSettings.Source tenantLimits = config.tenantLimits().open(registry);
    OpenSearchConnection openSearch = OpenSearchConnection.open(config.openSearch());
    Optional<S3Client> s3 =
        config.archiveEnabled() ? Optional.of(S3Clients.create(config.s3())) : Optional.empty();
    OpenSearchTraceStore hot =
        new OpenSearchTraceStore(
            openSearch.client(), config.indexLayout(), config.maxSpans(), registry);
    Optional<TraceStore> cold =
        s3.map(
            c ->
                new ArchiveTraceStore(
                    new ColdTraceReader(
                        c, config.bucket(), config.archiveLayout(), config.maxSpans()),
                    registry));
    SummarySearch summaries =
        new SummarySearch(
            hot,
            s3.map(
                c ->
                    new ArchiveTraceSearch(
                        c,
                        config.bucket(),
                        config.archiveLayout(),
                        config.archiveSearch(),
                        registry)),
            config.hotRetention(),
            config.archiveLookback(),
            clock);
    TraceQuerySearch traceSearch =
        new TraceQuerySearch(
            hot, summaries.archive(), cold, config.hotRetention(), config.archiveLookback(), clock);
    TraceLookup lookup =
        new TraceLookup(new FallbackTraceStore(hot, cold), config.archiveLookback(), clock);
    RequestTenants tenants =
        new RequestTenants(new TenantResolver(config.authEnabled(), config.apiKeys()));
    ServerTls tls = ServerTls.start(config.httpTls(), "http", registry);
    Server server =
        tls.listen(
                Server.builder(),
                new InetSocketAddress(config.httpBindAddress(), config.httpPort()))
            .meterRegistry(registry)
            .decorator(
                MetricCollectingService.newDecorator(
                    MeterIdPrefixFunction.ofDefault("spanline.query.http")))
            .decorator(new TenantQueryLimits(tenants, tenantLimits, registry).decorator())
            .annotatedService(
                new JaegerApiV3(lookup, hot, traceSearch, tenants, clock, config.maxClockSkew()))
            .annotatedService(new JaegerHttpApi(lookup, hot, tenants, clock, config.maxClockSkew()))
            .annotatedService(
                new NativeApi(lookup, hot, summaries, tenants, clock, config.maxClockSkew()))
            .annotatedService(
                new TempoApi(
                    lookup,
                    hot,
                    new TieredTraceQlSearch(
                        hot,
                        summaries.archive(),
                        cold,
                        config.traceQlMaxTracesInspected(),
                        new ArchiveWindow(config.hotRetention(), config.archiveLookback(), clock)),
                    tenants,
                    clock))
            // The web UI: static files from the classpath folder web/, index.html at "/".
            .serviceUnder(
                "/",
                FileService.builder(QueryServiceApp.class.getClassLoader(), "web")
                    .cacheControl(ServerCacheControl.REVALIDATED)
                    .build())
            .build();
    server.start().join();
    AdminServer admin =
        AdminServer.start(
            config.admin(),
            new Readiness() {
              private volatile String problem = "";

              @Override
              public boolean ready() {
                try {
                  openSearch.client().cluster().health();
                  problem = "";
                } catch (IOException | RuntimeException e) {
                  problem = "OpenSearch not reachable: " + e.getClass().getSimpleName();
                }
                return problem.isEmpty();
              }

              @Override
              public String problem() {
                return problem;
              }
            },
            registry);
    LOG.info(
        "Query service on port {}{} (admin {}), OpenSearch {}, archive {}",
        server.activeLocalPort(),
        tls.enabled() ? " (TLS)" : "",
        admin.port(),
        config.openSearch().hosts(),
        config.archiveEnabled()
            ? "s3://" + config.bucket() + "/" + config.archiveLayout().root()
            : "off");
    return new QueryServiceApp(openSearch, s3, server, tls, admin, tenantLimits);
  }

  public int port() {
    return server.activeLocalPort();
  }

  public int adminPort() {
    return admin.port();
  }

  @Override
  public void close() {
    server.stop().join();
    tls.close();
    admin.close();
    tenantLimits.close();
    s3.ifPresent(S3Client::close);
    try {
      openSearch.close();
    } catch (IOException e) {
      LOG.warn("Closing the OpenSearch client failed: {}", e.toString());
    }
  }
}
