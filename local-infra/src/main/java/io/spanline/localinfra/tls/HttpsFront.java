package io.spanline.localinfra.tls;

import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.auth.BasicToken;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.auth.AuthService;
import io.netty.handler.ssl.ClientAuth;
import io.spanline.localinfra.Ports;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * An HTTPS port on 127.0.0.1 that asks for HTTP basic auth and, optionally, a client certificate,
 * in front of a local server's services: the embedded schema registry's secured port, and a
 * TLS-terminating front for the embedded OpenSearch node, whose security plugin is not part of the
 * local build. Requests without the right credentials get 401 with {@code WWW-Authenticate}; a
 * client without an accepted certificate fails the handshake.
 */
public final class HttpsFront implements AutoCloseable {
  private final Server server;

  private HttpsFront(Server server) {
    this.server = server;
  }

  /**
   * Who may pass.
   *
   * @param port the HTTPS port on 127.0.0.1, or 0 for a free one
   * @param certificates the server's certificate
   * @param username the one basic-auth user; empty for no basic auth
   * @param password its password
   * @param clientCertificates when present, a client must present the certificate of these
   */
  public record Options(
      int port,
      LocalCertificates certificates,
      String username,
      String password,
      Optional<LocalCertificates> clientCertificates) {
    public Options {
      Objects.requireNonNull(certificates, "certificates");
      Objects.requireNonNull(username, "username");
      Objects.requireNonNull(password, "password");
      Objects.requireNonNull(clientCertificates, "clientCertificates");
    }
  }

  /**
   * Serves what {@code services} adds to the server builder, behind the options' checks.
   *
   * @throws java.util.concurrent.CompletionException if the port cannot be bound
   */
  public static HttpsFront serving(Options options, Consumer<ServerBuilder> services) {
    ServerBuilder b =
        Server.builder()
            .https(new InetSocketAddress("127.0.0.1", Ports.orFree(options.port())))
            .tls(options.certificates().keyManagers());
    if (!options.username().isEmpty()) {
      b.decorator(
          AuthService.builder()
              .addBasicAuth((ctx, token) -> allowed(options, token))
              .onFailure(
                  (delegate, ctx, req, cause) ->
                      HttpResponse.builder()
                          .status(HttpStatus.UNAUTHORIZED)
                          .header(HttpHeaderNames.WWW_AUTHENTICATE, "Basic realm=\"local\"")
                          .content(MediaType.PLAIN_TEXT_UTF_8, "credentials required\n")
                          .build())
              .newDecorator());
    }
    options
        .clientCertificates()
        .ifPresent(
            trusted ->
                b.tlsCustomizer(
                    ssl ->
                        ssl.clientAuth(ClientAuth.REQUIRE).trustManager(trusted.trustManagers())));
    services.accept(b);
    Server server = b.build();
    server.start().join();
    return new HttpsFront(server);
  }

  /**
   * A reverse proxy to {@code backend} (e.g. {@code http://127.0.0.1:9200}), behind the options'
   * checks.
   */
  public static HttpsFront proxy(URI backend, Options options) {
    WebClient client = WebClient.of(backend);
    HttpService forward =
        (ctx, req) ->
            client.execute(
                req.withHeaders(
                    req.headers().toBuilder().removeAndThen(HttpHeaderNames.AUTHORIZATION)));
    return serving(options, b -> b.serviceUnder("/", forward));
  }

  /** {@code https://127.0.0.1:<port>}. */
  public URI uri() {
    return URI.create("https://127.0.0.1:" + server.activeLocalPort());
  }

  @Override
  public void close() {
    server.stop().join();
  }

  private static CompletableFuture<Boolean> allowed(Options options, BasicToken token) {
    boolean user = same(options.username(), token.username());
    boolean password = same(options.password(), token.password());
    return CompletableFuture.completedFuture(user & password);
  }

  private static boolean same(String expected, String given) {
    return MessageDigest.isEqual(
        expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
  }
}
