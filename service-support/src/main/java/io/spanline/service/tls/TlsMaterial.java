package io.spanline.service.tls;

import com.linecorp.armeria.common.TlsKeyPair;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What one listener's TLS files hold, read and checked: the key pair, the CA certificates client
 * certificates must chain to (empty without client authentication), and a digest of the files'
 * bytes, which tells a reload whether anything changed.
 */
record TlsMaterial(TlsKeyPair keyPair, List<X509Certificate> clientCas, byte[] contentDigest) {
  TlsMaterial {
    clientCas = List.copyOf(clientCas);
  }

  /** The server's own certificate. */
  X509Certificate certificate() {
    return keyPair.certificateChain().get(0);
  }

  /**
   * The SHA-256 of the files' names and bytes as they are now, to compare with {@link
   * #contentDigest}; a file that cannot be read counts as empty (loading it then says why).
   */
  static byte[] digestOf(TlsSettings tls) {
    MessageDigest sha256;
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
    for (Path file : files(tls)) {
      sha256.update(file.toString().getBytes(StandardCharsets.UTF_8));
      sha256.update((byte) 0);
      try {
        sha256.update(Files.readAllBytes(file));
      } catch (IOException e) {
        sha256.update((byte) 1);
      }
      sha256.update((byte) 0);
    }
    return sha256.digest();
  }

  private static List<Path> files(TlsSettings tls) {
    List<Path> files = new ArrayList<>();
    tls.certificateFile().ifPresent(files::add);
    tls.keyFile().ifPresent(files::add);
    tls.keyStoreFile().ifPresent(files::add);
    tls.clientCaFile().ifPresent(files::add);
    return files;
  }

  /**
   * Reads and checks the files of {@code tls}.
   *
   * @throws IllegalArgumentException naming the setting and the file: missing or unreadable, no PEM
   *     certificate in it, a key that cannot be read (wrong format or password), a key that does
   *     not belong to the certificate; the message holds no password
   */
  static TlsMaterial load(TlsSettings tls) {
    byte[] digest = digestOf(tls);
    TlsKeyPair pair;
    if (tls.keyStoreFile().isPresent()) {
      pair = fromKeyStore(tls, tls.keyStoreFile().get());
    } else {
      Path certFile = tls.certificateFile().orElseThrow();
      Path keyFile = tls.keyFile().orElseThrow();
      byte[] certBytes = read(tls.key("certificate.file"), certFile);
      // read here first so that a bad certificate file is named as such, not as a bad key
      certificates(tls.key("certificate.file"), certBytes);
      byte[] keyBytes = read(tls.key("key.file"), keyFile);
      try {
        pair =
            TlsKeyPair.of(
                new ByteArrayInputStream(keyBytes),
                tls.keyPassword().isEmpty() ? null : tls.keyPassword(),
                new ByteArrayInputStream(certBytes));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            tls.key("key.file")
                + "="
                + keyFile
                + " holds no private key that can be read ("
                + rootMessage(e)
                + ")"
                + keyHint(tls, keyBytes),
            e);
      }
    }
    requireMatch(tls, pair);
    List<X509Certificate> cas =
        tls.clientCaFile()
            .map(f -> certificates(tls.key("client-ca.file"), read(tls.key("client-ca.file"), f)))
            .orElse(List.of());
    return new TlsMaterial(pair, cas, digest);
  }

  private static String keyHint(TlsSettings tls, byte[] keyBytes) {
    String text = new String(keyBytes, StandardCharsets.US_ASCII);
    if (text.contains("BEGIN RSA PRIVATE KEY") || text.contains("BEGIN EC PRIVATE KEY")) {
      return "; it is a PKCS#1/SEC1 key: convert it with `openssl pkcs8 -topk8 -nocrypt -in"
          + " tls.key`, or with cert-manager set privateKey.encoding: PKCS8";
    }
    if (text.contains("BEGIN ENCRYPTED PRIVATE KEY")) {
      return "; it is encrypted: check " + tls.key("key.password");
    }
    return "; it must be PKCS#8 PEM (BEGIN PRIVATE KEY)";
  }

  private static TlsKeyPair fromKeyStore(TlsSettings tls, Path file) {
    char[] password = tls.keyStorePassword().toCharArray();
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(new ByteArrayInputStream(read(tls.key("keystore.file"), file)), password);
      for (String alias : Collections.list(store.aliases())) {
        if (store.isKeyEntry(alias)) {
          PrivateKey key = (PrivateKey) store.getKey(alias, password);
          List<X509Certificate> chain = new ArrayList<>();
          for (Certificate c : store.getCertificateChain(alias)) {
            chain.add((X509Certificate) c);
          }
          return TlsKeyPair.of(key, chain);
        }
      }
      throw new IllegalArgumentException(
          tls.key("keystore.file") + "=" + file + " holds no private key entry");
    } catch (IOException | GeneralSecurityException | ClassCastException e) {
      throw new IllegalArgumentException(
          tls.key("keystore.file")
              + "="
              + file
              + " cannot be opened as PKCS12 with "
              + tls.key("keystore.password")
              + " ("
              + rootMessage(e)
              + ")",
          e);
    }
  }

  /** Signs with the key and verifies with the certificate's public key. */
  private static void requireMatch(TlsSettings tls, TlsKeyPair pair) {
    PublicKey publicKey = pair.certificateChain().get(0).getPublicKey();
    PrivateKey privateKey = pair.privateKey();
    boolean matches;
    String failure = "";
    try {
      // the key as the JDK's own providers read it (Netty may have used BouncyCastle)
      String keyAlgorithm =
          privateKey.getAlgorithm().equals("ECDSA") ? "EC" : privateKey.getAlgorithm();
      privateKey =
          KeyFactory.getInstance(keyAlgorithm)
              .generatePrivate(new PKCS8EncodedKeySpec(privateKey.getEncoded()));
      String algorithm = signatureAlgorithm(privateKey);
      byte[] data = "spanline key check".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(privateKey);
      signer.update(data);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(data);
      matches = verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      matches = false;
      failure = ", " + e;
    }
    if (!matches) {
      String where =
          tls.keyStoreFile().isPresent()
              ? tls.key("keystore.file") + "=" + tls.keyStoreFile().get()
              : tls.key("key.file")
                  + "="
                  + tls.keyFile().orElseThrow()
                  + " does not belong to "
                  + tls.key("certificate.file")
                  + "="
                  + tls.certificateFile().orElseThrow();
      throw new IllegalArgumentException(
          tls.keyStoreFile().isPresent()
              ? where + ": its private key does not belong to its certificate"
              : where
                  + ": the private key does not match the certificate's public key ("
                  + pair.certificateChain().get(0).getSubjectX500Principal().getName()
                  + failure
                  + ")");
    }
  }

  private static String signatureAlgorithm(PrivateKey key) {
    return switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "RSASSA-PSS" -> "RSASSA-PSS";
      default -> key.getAlgorithm(); // Ed25519, Ed448
    };
  }

  private static List<X509Certificate> certificates(String key, byte[] pem) {
    try {
      List<X509Certificate> out = new ArrayList<>();
      for (Certificate c :
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(pem))) {
        out.add((X509Certificate) c);
      }
      if (out.isEmpty()) {
        throw new IllegalArgumentException(key + " holds no PEM certificate");
      }
      return out;
    } catch (CertificateException e) {
      throw new IllegalArgumentException(
          key + " holds no PEM certificate that can be read (" + rootMessage(e) + ")", e);
    }
  }

  private static byte[] read(String key, Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          key + "=" + file + " cannot be read (" + e.getClass().getSimpleName() + ")", e);
    }
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }
}
