package io.spanline.localinfra.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed server certificate for 127.0.0.1 and {@code localhost}, made by the JDK's own
 * {@code keytool}, for local servers that speak TLS in tests: a PKCS12 key store holding the key
 * and certificate, and a PKCS12 trust store holding only the certificate, which clients trust.
 *
 * @param keyStore the server's key store (PKCS12)
 * @param trustStore what clients trust (PKCS12)
 * @param password the password of both stores and of the key
 */
public record LocalCertificates(Path keyStore, Path trustStore, String password) {
  private static final String ALIAS = "spanline-local";

  /**
   * Makes the stores in {@code dir}, or reuses them when both exist (a restart on the same data).
   *
   * @throws IllegalStateException when keytool fails, with its output
   */
  public static LocalCertificates inDirectory(Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path keyStore = dir.resolve("server.p12");
    Path trustStore = dir.resolve("truststore.p12");
    Path passwordFile = dir.resolve("password");
    if (Files.exists(keyStore) && Files.exists(trustStore) && Files.exists(passwordFile)) {
      return new LocalCertificates(
          keyStore, trustStore, Files.readString(passwordFile, StandardCharsets.UTF_8));
    }
    Files.deleteIfExists(keyStore);
    Files.deleteIfExists(trustStore);
    String password = "local-" + Long.toHexString(new java.security.SecureRandom().nextLong());
    Path cert = dir.resolve("server.crt");
    keytool(
        storeArgs(
            keyStore,
            password,
            "-genkeypair",
            "-keyalg",
            "RSA",
            "-keysize",
            "2048",
            "-validity",
            "3650",
            "-dname",
            "CN=localhost",
            "-ext",
            "SAN=ip:127.0.0.1,dns:localhost",
            "-keypass",
            password));
    keytool(storeArgs(keyStore, password, "-exportcert", "-rfc", "-file", cert.toString()));
    keytool(storeArgs(trustStore, password, "-importcert", "-noprompt", "-file", cert.toString()));
    Files.writeString(passwordFile, password, StandardCharsets.UTF_8);
    return new LocalCertificates(keyStore, trustStore, password);
  }

  /** The certificate as PEM ({@code server.crt} beside the stores), a CA file for PEM clients. */
  public Path certificatePem() {
    return keyStore.resolveSibling("server.crt");
  }

  /** Key managers over {@link #keyStore()}, for a TLS server. */
  public KeyManagerFactory keyManagers() {
    try {
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(load(keyStore), password.toCharArray());
      return kmf;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot open " + keyStore + ": " + e, e);
    }
  }

  /** Trust managers over {@link #trustStore()}: trust exactly this certificate. */
  public TrustManagerFactory trustManagers() {
    try {
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(load(trustStore));
      return tmf;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot open " + trustStore + ": " + e, e);
    }
  }

  private KeyStore load(Path store) throws IOException, GeneralSecurityException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      ks.load(in, password.toCharArray());
    }
    return ks;
  }

  /** A keytool command on one PKCS12 store and this class's alias: the command, then the rest. */
  private static String[] storeArgs(Path store, String password, String command, String... rest) {
    List<String> args = new ArrayList<>(List.of(command, "-alias", ALIAS));
    args.addAll(
        List.of("-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", password));
    args.addAll(List.of(rest));
    return args.toArray(String[]::new);
  }

  private static void keytool(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("keytool did not finish within 60 s");
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException(
          "keytool " + args[0] + " failed: " + new String(out, StandardCharsets.UTF_8));
    }
  }
}
