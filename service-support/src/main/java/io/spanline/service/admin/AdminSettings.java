package io.spanline.service.admin;

import io.spanline.service.config.Settings;
import io.spanline.service.internal.tenancy.KeyDigests;
import io.spanline.service.tls.TlsSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The admin port of a process: where it listens, its TLS ({@code admin.tls.*}, see {@link
 * TlsSettings}) and the optional admin key. With a key, {@code /readyz} and {@code /metrics} answer
 * only requests with {@code Authorization: Bearer <key>} (401 otherwise); {@code /healthz} stays
 * open for liveness probes.
 *
 * <p>Settings: {@code admin.bind.address}, {@code admin.port}, {@code admin.tls.*}, {@code
 * admin.auth.key} (the key, or {@code sha256:<64 hex digits>}, its SHA-256) or {@code
 * admin.auth.key-file} (a file holding either, read at start-up). The key is kept only as its
 * SHA-256 and appears in no log line or message.
 *
 * @param bindAddress the address to bind, e.g. {@code 0.0.0.0} or {@code 127.0.0.1}
 * @param port the port, 0 for a free one
 * @param tls the port's TLS
 * @param keyDigest the SHA-256 of the admin key (32 bytes); empty when no key is required
 */
public record AdminSettings(
    String bindAddress, int port, TlsSettings tls, Optional<byte[]> keyDigest) {
  /** The prefix of the admin port's TLS settings. */
  public static final String TLS_PREFIX = "admin.";

  public AdminSettings {
    Objects.requireNonNull(bindAddress, "bindAddress");
    Objects.requireNonNull(tls, "tls");
    keyDigest = keyDigest.map(byte[]::clone);
  }

  /** Plain HTTP without a key, as tests and local runs use. */
  static AdminSettings plain(String bindAddress, int port) {
    return new AdminSettings(bindAddress, port, TlsSettings.disabled(TLS_PREFIX), Optional.empty());
  }

  /**
   * The settings besides {@code admin.bind.address} and {@code admin.port} (which each app declares
   * with its own default port), with their defaults; add them to the app's defaults.
   */
  public static Map<String, String> securityDefaults() {
    Map<String, String> d = new LinkedHashMap<>(TlsSettings.defaults(TLS_PREFIX));
    d.put("admin.auth.key", "");
    d.put("admin.auth.key-file", "");
    return d;
  }

  /**
   * Reads {@code admin.bind.address}, {@code admin.port} and the settings of {@link
   * #securityDefaults}.
   *
   * @throws IllegalArgumentException naming the setting: a bad port, TLS files (see {@link
   *     TlsSettings#from}), both key settings given, an unreadable or empty key file, a malformed
   *     {@code sha256:} key; no message contains the key
   */
  public static AdminSettings from(Settings s) {
    String key = s.get("admin.auth.key");
    String keyFile = s.get("admin.auth.key-file");
    if (!key.isEmpty() && !keyFile.isEmpty()) {
      throw new IllegalArgumentException(
          "admin.auth.key and admin.auth.key-file are both set: give one");
    }
    Optional<byte[]> digest = Optional.empty();
    if (!key.isEmpty()) {
      digest = Optional.of(KeyDigests.ofConfigured(key, "admin.auth.key"));
    } else if (!keyFile.isEmpty()) {
      String fromFile;
      try {
        fromFile = Files.readString(Path.of(keyFile), StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "admin.auth.key-file="
                + keyFile
                + " cannot be read ("
                + e.getClass().getSimpleName()
                + ")",
            e);
      }
      if (fromFile.isEmpty()) {
        throw new IllegalArgumentException("admin.auth.key-file=" + keyFile + " is empty");
      }
      digest =
          Optional.of(
              KeyDigests.ofConfigured(fromFile, "The key in admin.auth.key-file=" + keyFile));
    }
    return new AdminSettings(
        s.get("admin.bind.address"), s.port("admin.port"), TlsSettings.from(s, TLS_PREFIX), digest);
  }

  /** This port with another port number (e.g. 0 in tests). */
  AdminSettings withPort(int otherPort) {
    return new AdminSettings(bindAddress, otherPort, tls, keyDigest);
  }

  /** Without the key digest, for logs. */
  @Override
  public String toString() {
    return "AdminSettings[bindAddress="
        + bindAddress
        + ", port="
        + port
        + ", tls="
        + tls
        + ", key="
        + (keyDigest.isPresent() ? "[required]" : "none")
        + "]";
  }
}
