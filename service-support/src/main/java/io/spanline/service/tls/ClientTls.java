package io.spanline.service.tls;

import com.linecorp.armeria.common.TlsKeyPair;
import io.spanline.service.config.Settings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS material of an HTTPS client (the schema registry's, OpenSearch's): what the client trusts
 * and, for mutual TLS, the certificate it presents. Named as Kafka names its own: under a prefix
 * such as {@code opensearch.}, the settings {@code ssl.truststore.location}, {@code
 * ssl.truststore.password}, {@code ssl.truststore.type} and {@code ssl.keystore.location}, {@code
 * ssl.keystore.password}, {@code ssl.keystore.type}. Types are {@code PKCS12} (the default), {@code
 * JKS} or {@code PEM}: a PEM trust store is a file of {@code CERTIFICATE} blocks (a CA bundle); a
 * PEM key store is one file holding the certificate chain and its unencrypted PKCS#8 {@code PRIVATE
 * KEY}. Without a trust store the JDK's default CAs are trusted. Host names are always verified.
 *
 * @param trustStore what the client trusts instead of the JDK's CAs; empty for the JDK's
 * @param keyStore the client certificate and key for mutual TLS; empty for none
 */
public record ClientTls(Optional<Store> trustStore, Optional<Store> keyStore) {
  private static final Set<String> TYPES = Set.of("PKCS12", "JKS", "PEM");

  /**
   * One store file.
   *
   * @param location the file
   * @param type {@code PKCS12}, {@code JKS} or {@code PEM}
   * @param password the store's password (and its key's); empty for PEM
   */
  public record Store(Path location, String type, String password) {
    /** Hides the password. */
    @Override
    public String toString() {
      return type + ":" + location;
    }
  }

  /** Trusts the JDK's CAs and presents no certificate. */
  public static ClientTls none() {
    return new ClientTls(Optional.empty(), Optional.empty());
  }

  /** The settings under {@code prefix}, all empty (not set). */
  public static Map<String, String> defaults(String prefix) {
    Map<String, String> d = new LinkedHashMap<>();
    for (String store : new String[] {"truststore", "keystore"}) {
      d.put(prefix + "ssl." + store + ".location", "");
      d.put(prefix + "ssl." + store + ".password", "");
      d.put(prefix + "ssl." + store + ".type", "");
    }
    return d;
  }

  /**
   * Reads and checks the settings of {@link #defaults}: each named file must be readable and open
   * with its type and password, so that a mistake stops start-up instead of the first request.
   *
   * @throws IllegalArgumentException naming the setting of a bad type, a missing file or a store
   *     that does not open
   */
  public static ClientTls from(Settings s, String prefix) {
    ClientTls tls =
        new ClientTls(store(s, prefix + "ssl.truststore."), store(s, prefix + "ssl.keystore."));
    tls.sslContext(prefix);
    return tls;
  }

  /** Whether anything differs from the JDK's defaults. */
  public boolean configured() {
    return trustStore.isPresent() || keyStore.isPresent();
  }

  /**
   * An {@link SSLContext} with this material, for the JDK's HTTP client or Apache HttpClient.
   *
   * @throws IllegalArgumentException if a store cannot be read or opened
   */
  public SSLContext sslContext() {
    return sslContext("");
  }

  /**
   * The trust managers of {@link #trustStore()}, or empty for the JDK's defaults: for clients that
   * take trust managers rather than an {@link SSLContext} (the AWS SDK's HTTP clients).
   *
   * @throws IllegalArgumentException if the store cannot be read or opened
   */
  public Optional<TrustManager[]> trustManagers() {
    return trustManagers("");
  }

  private Optional<TrustManager[]> trustManagers(String prefix) {
    if (trustStore.isEmpty()) {
      return Optional.empty();
    }
    Store t = trustStore.get();
    try {
      KeyStore trusted;
      if (t.type().equals("PEM")) {
        trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        try (InputStream in = Files.newInputStream(t.location())) {
          int n = 0;
          for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
            trusted.setCertificateEntry("ca-" + n++, c);
          }
          if (n == 0) {
            throw new GeneralSecurityException("no CERTIFICATE block in the file");
          }
        }
      } else {
        trusted = open(t);
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trusted);
      return Optional.of(tmf.getTrustManagers());
    } catch (IOException | GeneralSecurityException e) {
      throw unusable(prefix + "ssl.truststore.", t, e);
    }
  }

  private Optional<KeyManager[]> keyManagers(String prefix) {
    if (keyStore.isEmpty()) {
      return Optional.empty();
    }
    Store k = keyStore.get();
    try {
      KeyStore keys;
      char[] password = k.password().toCharArray();
      if (k.type().equals("PEM")) {
        // Armeria reads the PEM blocks: the PKCS#8 key and the certificate chain, in one file
        TlsKeyPair pair = TlsKeyPair.of(k.location().toFile(), k.location().toFile());
        keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry(
            "client",
            pair.privateKey(),
            password,
            pair.certificateChain().toArray(Certificate[]::new));
      } else {
        keys = open(k);
      }
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, password);
      return Optional.of(kmf.getKeyManagers());
    } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
      throw unusable(prefix + "ssl.keystore.", k, e);
    }
  }

  private SSLContext sslContext(String prefix) {
    try {
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(
          keyManagers(prefix).orElse(null), trustManagers(prefix).orElse(null), new SecureRandom());
      return ssl;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no TLS: " + e, e);
    }
  }

  private static KeyStore open(Store store) throws IOException, GeneralSecurityException {
    KeyStore ks = KeyStore.getInstance(store.type());
    try (InputStream in = Files.newInputStream(store.location())) {
      ks.load(in, store.password().toCharArray());
    }
    return ks;
  }

  private static IllegalArgumentException unusable(String keys, Store store, Exception e) {
    return new IllegalArgumentException(
        "Cannot open "
            + keys
            + "location "
            + store.location()
            + " as "
            + store.type()
            + " with "
            + keys
            + "password: "
            + e.getMessage(),
        e);
  }

  private static Optional<Store> store(Settings s, String keys) {
    String location = s.get(keys + "location");
    if (location.isEmpty()) {
      return Optional.empty();
    }
    Path path = Path.of(location);
    if (!Files.isReadable(path)) {
      throw new IllegalArgumentException(
          "Invalid " + keys + "location: " + location + " does not exist or cannot be read");
    }
    String type = s.get(keys + "type").toUpperCase(Locale.ROOT);
    if (type.isEmpty()) {
      type = location.endsWith(".pem") || location.endsWith(".crt") ? "PEM" : "PKCS12";
    }
    if (!TYPES.contains(type)) {
      throw new IllegalArgumentException(
          "Invalid " + keys + "type '" + type + "': must be PKCS12, JKS or PEM");
    }
    return Optional.of(new Store(path, type, s.get(keys + "password")));
  }
}
