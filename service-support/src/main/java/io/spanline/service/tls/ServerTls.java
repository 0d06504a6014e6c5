package io.spanline.service.tls;

import com.linecorp.armeria.common.TlsKeyPair;
import com.linecorp.armeria.common.TlsProvider;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServerTlsConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS of one listener, given to Armeria as a {@link TlsProvider} whose key pair (and client CA
 * certificates) are read again when the files change, so that a renewed certificate (cert-manager,
 * a Kubernetes secret update) is served without a restart.
 *
 * <p>Reload: every {@link TlsSettings#reloadInterval()} a scheduler thread hashes the files' bytes;
 * when the hash differs from the one of the material in use, the files are loaded and checked as at
 * start-up. If they load, new connections get the new certificate (connections already open keep
 * theirs), an INFO line names its subject, serial and expiry, and {@code
 * spanline.tls.reloads{listener, outcome="success"}} counts it. If they do not (a missing file, a
 * key that does not match the certificate, or a replacement caught half-written), the old pair
 * stays in use, a WARN line says why and {@code outcome="failure"} counts it once per distinct
 * content; the next change is tried again. {@code spanline.tls.certificate.expiry} is the epoch
 * second the served certificate expires, to alert on.
 *
 * <p>Without TLS ({@code <p>tls.enabled=false}) {@link #listen} opens a plain HTTP port.
 */
public final class ServerTls implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class);

  /** One daemon thread checks the files of every listener of the process. */
  private static final ScheduledExecutorService CHECKS =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "spanline-tls-reload");
            t.setDaemon(true);
            return t;
          });

  private final TlsSettings settings;
  private final String listener;
  private final Counter reloaded;
  private final Counter failed;
  private final Provider provider;
  private final ScheduledFuture<?> check;
  private volatile TlsMaterial material;
  private volatile byte[] lastFailedDigest;

  private ServerTls(TlsSettings settings, String listener, MeterRegistry registry) {
    this.settings = settings;
    this.listener = listener;
    if (!settings.enabled()) {
      this.reloaded = null;
      this.failed = null;
      this.provider = null;
      this.check = null;
      return;
    }
    this.material = TlsMaterial.load(settings);
    this.reloaded =
        Counter.builder("spanline.tls.reloads")
            .description("Certificate files read again after they changed, by outcome")
            .tag("listener", listener)
            .tag("outcome", "success")
            .register(registry);
    this.failed =
        Counter.builder("spanline.tls.reloads")
            .description("Certificate files read again after they changed, by outcome")
            .tag("listener", listener)
            .tag("outcome", "failure")
            .register(registry);
    Gauge.builder(
            "spanline.tls.certificate.expiry",
            this,
            t -> t.material.certificate().getNotAfter().getTime() / 1000.0)
        .description("When the served certificate expires, epoch seconds")
        .tag("listener", listener)
        .register(registry);
    this.provider = new Provider();
    long ms = settings.reloadInterval().toMillis();
    this.check = CHECKS.scheduleWithFixedDelay(this::checkFiles, ms, ms, TimeUnit.MILLISECONDS);
    LOG.info("TLS on the {} port: {}", listener, describe(material.certificate()));
  }

  /**
   * Loads the listener's TLS files (when TLS is on) and starts watching them.
   *
   * @param listener the listener's name in logs and metric tags, e.g. {@code otlp}, {@code admin}
   * @param registry where the reload counters and the expiry gauge go
   * @throws IllegalArgumentException naming the setting when a file is missing, unreadable or its
   *     key does not match its certificate
   */
  public static ServerTls start(TlsSettings settings, String listener, MeterRegistry registry) {
    return new ServerTls(settings, listener, registry);
  }

  /** Whether the listener speaks TLS ({@code <p>tls.enabled}). */
  public boolean enabled() {
    return settings.enabled();
  }

  /**
   * Adds a port on {@code address} to {@code builder}: HTTPS with this TLS (and client
   * authentication as configured) when TLS is on, else plain HTTP.
   *
   * @return {@code builder}
   */
  public ServerBuilder listen(ServerBuilder builder, InetSocketAddress address) {
    if (!settings.enabled()) {
      return builder.http(address);
    }
    return builder
        .https(address)
        .tlsProvider(provider, ServerTlsConfig.builder().clientAuth(settings.clientAuth()).build());
  }

  /** The certificate new connections get; empty list without TLS. */
  List<X509Certificate> certificateChain() {
    return settings.enabled() ? material.keyPair().certificateChain() : List.of();
  }

  /** Reads the files again if their bytes changed; runs on the scheduler thread. */
  void checkFiles() {
    try {
      byte[] digest = TlsMaterial.digestOf(settings);
      if (MessageDigest.isEqual(digest, material.contentDigest())
          || (lastFailedDigest != null && MessageDigest.isEqual(digest, lastFailedDigest))) {
        return;
      }
      try {
        TlsMaterial next = TlsMaterial.load(settings);
        material = next;
        lastFailedDigest = null;
        reloaded.increment();
        LOG.info("Reloaded TLS of the {} port: {}", listener, describe(next.certificate()));
      } catch (IllegalArgumentException e) {
        lastFailedDigest = digest;
        failed.increment();
        LOG.warn(
            "TLS files of the {} port changed but cannot be used; still serving the previous"
                + " certificate: {}",
            listener,
            e.getMessage());
      }
    } catch (RuntimeException e) {
      // the scheduler must keep running: a check that failed is tried again next time
      LOG.warn("Checking the TLS files of the {} port failed: {}", listener, e.toString());
    }
  }

  private static String describe(X509Certificate c) {
    return "certificate "
        + c.getSubjectX500Principal().getName()
        + ", serial "
        + c.getSerialNumber().toString(16)
        + ", expires "
        + c.getNotAfter().toInstant();
  }

  /** Stops watching the files. */
  @Override
  public void close() {
    if (check != null) {
      check.cancel(false);
    }
  }

  /** What Armeria asks for every new connection: the material in use now. */
  private final class Provider implements TlsProvider {
    @Override
    public TlsKeyPair keyPair(String hostname) {
      return material.keyPair();
    }

    @Override
    public List<X509Certificate> trustedCertificates(String hostname) {
      List<X509Certificate> cas = material.clientCas();
      return cas.isEmpty() ? null : cas;
    }

    @Override
    public boolean autoClose() {
      return false;
    }
  }
}
