package io.spanline.localinfra.tls;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority for tests: it issues server certificates for {@code 127.0.0.1} and {@code
 * localhost} and client certificates, each with a fresh EC P-256 key and a random serial, valid
 * from an hour ago for a day. Everything can be written as PEM (certificates, PKCS#8 private keys:
 * what cert-manager and Kubernetes TLS secrets hold) or as a PKCS12 key store.
 *
 * <p>Needs BouncyCastle ({@code org.bouncycastle:bcpkix-jdk18on}), an optional dependency of
 * local-infra: a module whose tests use this class declares it at test scope.
 */
public final class TestCertificateAuthority {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String SIGNATURE = "SHA256withECDSA";

  private final KeyPair keyPair;
  private final X509Certificate certificate;

  private TestCertificateAuthority(KeyPair keyPair, X509Certificate certificate) {
    this.keyPair = keyPair;
    this.certificate = certificate;
  }

  /**
   * A new CA with a self-signed certificate.
   *
   * @param name the CA's common name (CN)
   */
  public static TestCertificateAuthority create(String name) {
    KeyPair keys = newKeyPair();
    X500Name subject = new X500Name("CN=" + name);
    X509v3CertificateBuilder b = builder(subject, subject, keys);
    try {
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      b.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    } catch (CertIOException e) {
      throw new UncheckedIOException(e);
    }
    return new TestCertificateAuthority(keys, sign(b, keys.getPrivate()));
  }

  /** The CA's own certificate, which clients or servers trust. */
  public X509Certificate certificate() {
    return certificate;
  }

  /** The CA's certificate as PEM. */
  public String certificatePem() {
    return pem(List.of(certificate));
  }

  /** Writes the CA's certificate as PEM to {@code file}, replacing it; returns {@code file}. */
  public Path writeCertificatePem(Path file) {
    write(file, certificatePem());
    return file;
  }

  /** A client TLS context that trusts this CA only and presents no certificate. */
  public SSLContext trustingContext() {
    return context(null);
  }

  /** A client TLS context that trusts this CA only and presents {@code client}'s certificate. */
  SSLContext trustingContext(Issued client) {
    return context(client);
  }

  private SSLContext context(Issued client) {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", certificate);
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      KeyManager[] keyManagers = null;
      if (client != null) {
        char[] password = "client".toCharArray();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry(
            "client",
            client.privateKey(),
            password,
            new java.security.cert.Certificate[] {client.certificate(), certificate});
        KeyManagerFactory kmf =
            KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, password);
        keyManagers = kmf.getKeyManagers();
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagers, tmf.getTrustManagers(), null);
      return context;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The certificate a TLS server on {@code 127.0.0.1:port} presents to a new connection that trusts
   * this CA (the handshake must succeed).
   *
   * @throws IOException when the connection or the handshake fails
   */
  public X509Certificate serverCertificate(int port) throws IOException {
    try (SSLSocket socket =
        (SSLSocket) trustingContext().getSocketFactory().createSocket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }
  }

  /**
   * A server certificate for {@code 127.0.0.1} and {@code localhost} (subject alternative names)
   * signed by this CA.
   *
   * @param commonName the subject's CN, e.g. to tell two certificates apart
   */
  public Issued issueServer(String commonName) {
    return issue(commonName, KeyPurposeId.id_kp_serverAuth, true);
  }

  /** A client certificate (extended key usage clientAuth) signed by this CA. */
  public Issued issueClient(String commonName) {
    return issue(commonName, KeyPurposeId.id_kp_clientAuth, false);
  }

  private Issued issue(String commonName, KeyPurposeId purpose, boolean serverNames) {
    KeyPair keys = newKeyPair();
    X509v3CertificateBuilder b =
        builder(
            new X500Name(certificate.getSubjectX500Principal().getName()),
            new X500Name("CN=" + commonName),
            keys);
    try {
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
      b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
      if (serverNames) {
        b.addExtension(
            Extension.subjectAlternativeName,
            false,
            new GeneralNames(
                new GeneralName[] {
                  new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                  new GeneralName(GeneralName.dNSName, "localhost")
                }));
      }
    } catch (CertIOException e) {
      throw new UncheckedIOException(e);
    }
    return new Issued(keys.getPrivate(), sign(b, keyPair.getPrivate()), certificate);
  }

  /**
   * A key and the certificate this CA issued for it.
   *
   * @param privateKey the certificate's private key
   * @param certificate the issued certificate
   * @param issuer the CA's certificate
   */
  public record Issued(PrivateKey privateKey, X509Certificate certificate, X509Certificate issuer) {
    /** The certificate as PEM. */
    public String certificatePem() {
      return pem(List.of(certificate));
    }

    /** The private key as unencrypted PKCS#8 PEM ({@code BEGIN PRIVATE KEY}). */
    public String privateKeyPem() {
      StringWriter out = new StringWriter();
      try (JcaPEMWriter w = new JcaPEMWriter(out)) {
        w.writeObject(new JcaPKCS8Generator(privateKey, null));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return out.toString();
    }

    /** Writes the certificate and the key as PEM, replacing the files. */
    public void writePem(Path certificateFile, Path keyFile) {
      write(certificateFile, certificatePem());
      write(keyFile, privateKeyPem());
    }

    /**
     * Writes a PKCS12 key store holding the key (alias {@code server}) with the certificate and the
     * CA's, both protected by {@code password}.
     */
    public void writePkcs12(Path file, String password) {
      try {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry(
            "server",
            privateKey,
            password.toCharArray(),
            new java.security.cert.Certificate[] {certificate, issuer});
        try (OutputStream out = Files.newOutputStream(file)) {
          store.store(out, password.toCharArray());
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private static X509v3CertificateBuilder builder(
      X500Name issuer, X500Name subject, KeyPair subjectKeys) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(
        issuer,
        new BigInteger(64, RANDOM).add(BigInteger.ONE),
        Date.from(now.minus(Duration.ofHours(1))),
        Date.from(now.plus(Duration.ofDays(1))),
        subject,
        subjectKeys.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey issuerKey) {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(b.build(new JcaContentSignerBuilder(SIGNATURE).build(issuerKey)));
    } catch (OperatorCreationException | GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair newKeyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(List<X509Certificate> certificates) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      for (X509Certificate c : certificates) {
        w.writeObject(c);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** Writes a temporary file beside {@code file}, then moves it over, as a secret update does. */
  private static void write(Path file, String text) {
    try {
      Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".tmp-", ".pem");
      Files.writeString(tmp, text, StandardCharsets.US_ASCII);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
