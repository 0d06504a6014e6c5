package io.spanline.storage.opensearch;

import java.io.IOException;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.apache.hc.client5.http.auth.AuthScope;
import org.apache.hc.client5.http.auth.UsernamePasswordCredentials;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.auth.BasicCredentialsProvider;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.nio.ssl.TlsStrategy;
import org.apache.hc.core5.util.Timeout;
import org.opensearch.client.json.jackson.JacksonJsonpMapper;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch._types.OpenSearchException;
import org.opensearch.client.transport.OpenSearchTransport;
import org.opensearch.client.transport.aws.AwsSdk2Transport;
import org.opensearch.client.transport.aws.AwsSdk2TransportOptions;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5Transport;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5TransportBuilder;
import org.opensearch.client.transport.httpclient5.ResponseException;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;

/**
 * An opensearch-java client with the caller's timeouts: over the Apache HttpClient 5 transport with
 * optional basic auth and TLS material, or, for Amazon OpenSearch Service, over the AWS SDK v2
 * transport that signs each request with SigV4. Closing it closes the transport.
 */
public final class OpenSearchConnection implements AutoCloseable {
  private final OpenSearchSettings settings;
  private final OpenSearchTransport transport;
  private final AutoCloseable httpClient;
  private final OpenSearchClient client;

  private OpenSearchConnection(
      OpenSearchSettings settings, OpenSearchTransport transport, AutoCloseable httpClient) {
    this.settings = settings;
    this.transport = transport;
    this.httpClient = httpClient;
    this.client = new OpenSearchClient(transport);
  }

  /**
   * @throws IllegalArgumentException if the TLS material cannot be used
   */
  public static OpenSearchConnection open(OpenSearchSettings settings) {
    return settings.sigV4().isPresent() ? signed(settings) : apache(settings);
  }

  private static OpenSearchConnection apache(OpenSearchSettings settings) {
    HttpHost[] hosts =
        settings.hosts().stream().map(OpenSearchConnection::host).toArray(HttpHost[]::new);
    long timeoutMs = settings.requestTimeout().toMillis();
    ApacheHttpClient5TransportBuilder builder =
        ApacheHttpClient5TransportBuilder.builder(hosts)
            .setMapper(new JacksonJsonpMapper())
            .setCompressionEnabled(false)
            .setRequestConfigCallback(r -> r.setResponseTimeout(Timeout.ofMilliseconds(timeoutMs)))
            .setConnectionConfigCallback(c -> timeouts(c, timeoutMs));
    BasicCredentialsProvider credentials = new BasicCredentialsProvider();
    if (!settings.username().isEmpty()) {
      for (HttpHost host : hosts) {
        credentials.setCredentials(
            new AuthScope(host),
            new UsernamePasswordCredentials(
                settings.username(), settings.password().toCharArray()));
      }
    }
    TlsStrategy tls =
        settings.tls().configured()
            ? ClientTlsStrategyBuilder.create().setSslContext(settings.tls().sslContext()).build()
            : null;
    builder.setHttpClientConfigCallback(
        h -> {
          h.setDefaultCredentialsProvider(credentials);
          if (tls != null) {
            h.setConnectionManager(
                PoolingAsyncClientConnectionManagerBuilder.create()
                    .setTlsStrategy(tls)
                    // a connection manager of our own: it needs the transport's timeouts again
                    .setDefaultConnectionConfig(
                        timeouts(ConnectionConfig.custom(), timeoutMs).build())
                    .build());
          }
          return h;
        });
    ApacheHttpClient5Transport transport = builder.build();
    return new OpenSearchConnection(settings, transport, () -> {});
  }

  /** Connecting within the request timeout (at most 10 s); reading within it. */
  private static ConnectionConfig.Builder timeouts(ConnectionConfig.Builder c, long timeoutMs) {
    return c.setConnectTimeout(Math.min(timeoutMs, 10_000), TimeUnit.MILLISECONDS)
        .setSocketTimeout(Timeout.ofMilliseconds(timeoutMs));
  }

  /** One https endpoint, SigV4 with the default credentials chain (validated by the settings). */
  private static OpenSearchConnection signed(OpenSearchSettings settings) {
    OpenSearchSettings.SigV4 sigV4 = settings.sigV4().orElseThrow();
    URI endpoint = settings.hosts().get(0);
    UrlConnectionHttpClient.Builder http =
        UrlConnectionHttpClient.builder()
            .connectionTimeout(settings.requestTimeout())
            .socketTimeout(settings.requestTimeout());
    settings.tls().trustManagers().ifPresent(tm -> http.tlsTrustManagersProvider(() -> tm));
    SdkHttpClient httpClient = http.build();
    String host = endpoint.getHost() + (endpoint.getPort() > 0 ? ":" + endpoint.getPort() : "");
    AwsSdk2Transport transport =
        new AwsSdk2Transport(
            httpClient,
            host,
            sigV4.service(),
            Region.of(sigV4.region()),
            AwsSdk2TransportOptions.builder()
                .setCredentials(DefaultCredentialsProvider.builder().build())
                .setMapper(new JacksonJsonpMapper())
                .build());
    return new OpenSearchConnection(settings, transport, httpClient);
  }

  public OpenSearchClient client() {
    return client;
  }

  /**
   * When a request failed for a reason that retrying cannot mend (the cluster refused the
   * credentials, or the TLS handshake failed), a message that names the settings to check; empty
   * for other failures (the cluster down or slow, a bad request).
   */
  public Optional<String> misconfiguration(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      int status =
          t instanceof ResponseException r
              ? r.status()
              : t instanceof OpenSearchException o ? o.status() : 0;
      if (t instanceof IOException && "Unauthorized access".equals(t.getMessage())) {
        status = 401; // how the Apache transport reports a 401 without its response
      }
      if (status == 401 || status == 403) {
        return Optional.of(
            "OpenSearch at "
                + settings.hosts()
                + " refused the credentials"
                + " (HTTP "
                + status
                + ")"
                + "; check "
                + (settings.sigV4().isPresent()
                    ? "opensearch.aws.region, opensearch.aws.service and the AWS credentials"
                        + " (environment, profile, web identity or instance role)"
                    : "opensearch.username and opensearch.password"));
      }
      if (t instanceof SSLException) {
        return Optional.of(
            "TLS with OpenSearch at "
                + settings.hosts()
                + " failed ("
                + t.getMessage()
                + "); check opensearch.ssl.truststore.location (the CA that signed the"
                + " cluster's certificate) and, for mutual TLS, opensearch.ssl.keystore.*");
      }
    }
    return Optional.empty();
  }

  @Override
  public void close() throws IOException {
    try {
      transport.close();
    } finally {
      try {
        httpClient.close();
      } catch (Exception e) {
        throw new IOException("closing the SigV4 HTTP client failed", e);
      }
    }
  }

  private static HttpHost host(URI uri) {
    int port = uri.getPort() > 0 ? uri.getPort() : ("https".equals(uri.getScheme()) ? 443 : 9200);
    return new HttpHost(uri.getScheme(), uri.getHost(), port);
  }
}
