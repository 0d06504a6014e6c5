package io.spanline.storage.opensearch.client;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.auth.AuthScope;
import org.apache.hc.client5.http.auth.UsernamePasswordCredentials;
import org.apache.hc.client5.http.impl.auth.BasicCredentialsProvider;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.util.Timeout;
import org.opensearch.client.json.jackson.JacksonJsonpMapper;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5Transport;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5TransportBuilder;

/**
 * An opensearch-java client over the Apache HttpClient 5 transport, with the caller's timeouts and
 * optional basic authentication. Closing it closes the transport.
 */
public final class OpenSearchConnection implements AutoCloseable {
  private final ApacheHttpClient5Transport transport;
  private final OpenSearchClient client;

  private OpenSearchConnection(ApacheHttpClient5Transport transport) {
    this.transport = transport;
    this.client = new OpenSearchClient(transport);
  }

  public static OpenSearchConnection open(OpenSearchSettings settings) {
    return open(
        settings.hosts(), settings.username(), settings.password(), settings.requestTimeout());
  }

  /**
   * @param username basic-auth user; empty for none
   * @param requestTimeout how long one request may take
   */
  public static OpenSearchConnection open(
      List<URI> openSearchHosts, String username, String password, Duration requestTimeout) {
    HttpHost[] hosts =
        openSearchHosts.stream().map(OpenSearchConnection::host).toArray(HttpHost[]::new);
    long timeoutMs = requestTimeout.toMillis();
    ApacheHttpClient5TransportBuilder builder =
        ApacheHttpClient5TransportBuilder.builder(hosts)
            .setMapper(new JacksonJsonpMapper())
            .setCompressionEnabled(false)
            .setRequestConfigCallback(r -> r.setResponseTimeout(Timeout.ofMilliseconds(timeoutMs)))
            .setConnectionConfigCallback(
                c ->
                    c.setConnectTimeout(Math.min(timeoutMs, 10_000), TimeUnit.MILLISECONDS)
                        .setSocketTimeout(Timeout.ofMilliseconds(timeoutMs)));
    if (!username.isEmpty()) {
      BasicCredentialsProvider credentials = new BasicCredentialsProvider();
      for (HttpHost host : hosts) {
        credentials.setCredentials(
            new AuthScope(host), new UsernamePasswordCredentials(username, password.toCharArray()));
      }
      builder.setHttpClientConfigCallback(h -> h.setDefaultCredentialsProvider(credentials));
    }
    return new OpenSearchConnection(builder.build());
  }

  public OpenSearchClient client() {
    return client;
  }

  @Override
  public void close() throws IOException {
    transport.close();
  }

  private static HttpHost host(URI uri) {
    int port = uri.getPort() > 0 ? uri.getPort() : ("https".equals(uri.getScheme()) ? 443 : 9200);
    return new HttpHost(uri.getScheme(), uri.getHost(), port);
  }
}
