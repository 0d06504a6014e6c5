package io.spanline.service.tls;

import io.netty.handler.ssl.ClientAuth;
import io.spanline.service.config.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * TLS of one HTTP listener (the gateway's OTLP ports, the query port, an admin port). The settings
 * sit under the listener's own prefix, the one its bind address has: {@code tls.*} for the
 * gateway's OTLP ports ({@code bind.address}), {@code http.tls.*} for the query service ({@code
 * http.bind.address}), {@code admin.tls.*} for every admin port ({@code admin.bind.address}):
 *
 * <ul>
 *   <li>{@code <p>tls.enabled}: {@code false} (default) serves plain HTTP;
 *   <li>{@code <p>tls.certificate.file} and {@code <p>tls.key.file}: the certificate chain (PEM,
 *       the server's certificate first) and its private key (PKCS#8 PEM, {@code BEGIN PRIVATE KEY},
 *       or encrypted PKCS#8 with {@code <p>tls.key.password}); what a Kubernetes TLS secret holds
 *       as {@code tls.crt} and {@code tls.key};
 *   <li>or {@code <p>tls.keystore.file} with {@code <p>tls.keystore.password}: a PKCS12 key store
 *       whose first key entry is used;
 *   <li>{@code <p>tls.client-auth}: {@code none} (default), {@code optional} or {@code require}
 *       client certificates, verified against {@code <p>tls.client-ca.file} (PEM, one or more CA
 *       certificates);
 *   <li>{@code <p>tls.reload.interval.ms}: how often the files are read again; changed content that
 *       loads is used by new connections (see {@link ServerTls}).
 * </ul>
 *
 * @param prefix the settings prefix, e.g. {@code ""}, {@code "http."} or {@code "admin."}, for
 *     messages
 * @param enabled whether the listener speaks TLS; the other components matter only when it does
 * @param certificateFile PEM certificate chain, empty when a key store is given
 * @param keyFile PEM private key, empty when a key store is given
 * @param keyPassword password of an encrypted {@code keyFile}; empty when not encrypted
 * @param keyStoreFile PKCS12 key store, empty when PEM files are given
 * @param keyStorePassword the key store's (and its key's) password
 * @param clientAuth whether clients must present a certificate
 * @param clientCaFile PEM CA certificates that client certificates must chain to
 * @param reloadInterval how often the files are checked for changes
 */
public record TlsSettings(
    String prefix,
    boolean enabled,
    Optional<Path> certificateFile,
    Optional<Path> keyFile,
    String keyPassword,
    Optional<Path> keyStoreFile,
    String keyStorePassword,
    ClientAuth clientAuth,
    Optional<Path> clientCaFile,
    Duration reloadInterval) {

  /** How often the files are read again unless {@code <p>tls.reload.interval.ms} says. */
  public static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofSeconds(30);

  /**
   * @throws IllegalArgumentException naming the setting: TLS on without a certificate and key (or
   *     with both PEM files and a key store), client authentication without a CA file
   */
  public TlsSettings {
    if (enabled) {
      boolean pem = certificateFile.isPresent() || keyFile.isPresent();
      if (pem && keyStoreFile.isPresent()) {
        throw new IllegalArgumentException(
            key(prefix, "certificate.file")
                + " / "
                + key(prefix, "key.file")
                + " and "
                + key(prefix, "keystore.file")
                + " are both set: give PEM files or a PKCS12 key store, not both");
      }
      if (!pem && keyStoreFile.isEmpty()) {
        throw new IllegalArgumentException(
            key(prefix, "enabled")
                + "=true needs "
                + key(prefix, "certificate.file")
                + " and "
                + key(prefix, "key.file")
                + " (PEM) or "
                + key(prefix, "keystore.file")
                + " (PKCS12)");
      }
      if (pem && certificateFile.isEmpty()) {
        throw new IllegalArgumentException(
            key(prefix, "key.file") + " is set without " + key(prefix, "certificate.file"));
      }
      if (pem && keyFile.isEmpty()) {
        throw new IllegalArgumentException(
            key(prefix, "certificate.file") + " is set without " + key(prefix, "key.file"));
      }
      if (clientAuth != ClientAuth.NONE && clientCaFile.isEmpty()) {
        throw new IllegalArgumentException(
            key(prefix, "client-auth")
                + "="
                + clientAuth.name().toLowerCase(Locale.ROOT)
                + " needs "
                + key(prefix, "client-ca.file")
                + " (the CA certificates, PEM, that client certificates must chain to)");
      }
      if (clientAuth == ClientAuth.NONE && clientCaFile.isPresent()) {
        throw new IllegalArgumentException(
            key(prefix, "client-ca.file")
                + " is set but "
                + key(prefix, "client-auth")
                + "=none: set it to optional or require, or remove the CA file");
      }
    }
  }

  /** TLS off. */
  public static TlsSettings disabled(String prefix) {
    return new TlsSettings(
        prefix,
        false,
        Optional.empty(),
        Optional.empty(),
        "",
        Optional.empty(),
        "",
        ClientAuth.NONE,
        Optional.empty(),
        DEFAULT_RELOAD_INTERVAL);
  }

  /**
   * The settings of {@link #from}, with their defaults (empty for "not set"); add them to the app's
   * defaults so that {@link Settings} knows them.
   *
   * @param prefix e.g. {@code ""}, {@code "http."}, {@code "admin."}
   */
  public static Map<String, String> defaults(String prefix) {
    Map<String, String> d = new LinkedHashMap<>();
    d.put(key(prefix, "enabled"), "false");
    d.put(key(prefix, "certificate.file"), "");
    d.put(key(prefix, "key.file"), "");
    d.put(key(prefix, "key.password"), "");
    d.put(key(prefix, "keystore.file"), "");
    d.put(key(prefix, "keystore.password"), "");
    d.put(key(prefix, "client-auth"), "none");
    d.put(key(prefix, "client-ca.file"), "");
    d.put(key(prefix, "reload.interval.ms"), String.valueOf(DEFAULT_RELOAD_INTERVAL.toMillis()));
    return d;
  }

  /**
   * Reads the settings of {@link #defaults}; when TLS is on, also loads the files once, so that a
   * missing file, a key that cannot be read or does not match the certificate stops start-up.
   *
   * @throws IllegalArgumentException naming the setting (and the file), never a password
   */
  public static TlsSettings from(Settings s, String prefix) {
    String clientAuthText = s.get(key(prefix, "client-auth")).toLowerCase(Locale.ROOT);
    ClientAuth clientAuth =
        switch (clientAuthText) {
          case "none" -> ClientAuth.NONE;
          case "optional" -> ClientAuth.OPTIONAL;
          case "require" -> ClientAuth.REQUIRE;
          default ->
              throw new IllegalArgumentException(
                  "Invalid value for property "
                      + key(prefix, "client-auth")
                      + "="
                      + clientAuthText
                      + ". Must be none, optional or require.");
        };
    TlsSettings tls =
        new TlsSettings(
            prefix,
            s.bool(key(prefix, "enabled")),
            path(s, key(prefix, "certificate.file")),
            path(s, key(prefix, "key.file")),
            s.get(key(prefix, "key.password")),
            path(s, key(prefix, "keystore.file")),
            s.get(key(prefix, "keystore.password")),
            clientAuth,
            path(s, key(prefix, "client-ca.file")),
            s.millis(key(prefix, "reload.interval.ms")));
    if (tls.enabled()) {
      TlsMaterial.load(tls);
    }
    return tls;
  }

  /** The full name of one of this listener's settings, e.g. {@code admin.tls.key.file}. */
  String key(String name) {
    return key(prefix, name);
  }

  static String key(String prefix, String name) {
    return prefix + "tls." + name;
  }

  private static Optional<Path> path(Settings s, String key) {
    String v = s.get(key);
    return v.isEmpty() ? Optional.empty() : Optional.of(Path.of(v));
  }

  /** The settings without passwords, for logs. */
  @Override
  public String toString() {
    if (!enabled) {
      return "TlsSettings[" + key("enabled") + "=false]";
    }
    return "TlsSettings["
        + "prefix="
        + prefix
        + ", certificateFile="
        + certificateFile.map(Path::toString).orElse("")
        + ", keyFile="
        + keyFile.map(Path::toString).orElse("")
        + ", keyPassword="
        + (keyPassword.isEmpty() ? "" : "[hidden]")
        + ", keyStoreFile="
        + keyStoreFile.map(Path::toString).orElse("")
        + ", keyStorePassword="
        + (keyStorePassword.isEmpty() ? "" : "[hidden]")
        + ", clientAuth="
        + clientAuth
        + ", clientCaFile="
        + clientCaFile.map(Path::toString).orElse("")
        + ", reloadInterval="
        + reloadInterval
        + "]";
  }
}
