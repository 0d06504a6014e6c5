package io.spanline.service.internal.tenancy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Secret keys (tenant API keys, the admin key) held and compared as SHA-256 digests: a configured
 * key is either the key itself or {@code sha256:<64 hex digits>}, the SHA-256 of the key clients
 * send, so that a config file need not hold a usable key. Presented keys are hashed and compared in
 * constant time ({@link MessageDigest#isEqual}). No message here contains a key.
 */
public final class KeyDigests {
  /** The prefix of a key given as the hex SHA-256 of the key rather than the key. */
  public static final String SHA256_PREFIX = "sha256:";

  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");

  private KeyDigests() {}

  /**
   * The digest of a configured key.
   *
   * @param configured the key, or {@code sha256:<64 hex digits>}
   * @param whose what the key is, for the message, e.g. {@code "The API key of tenant 'a'"}
   * @return 32 bytes
   * @throws IllegalArgumentException when the key starts with {@code sha256:} but is not followed
   *     by 64 hex digits (the message does not contain the key)
   */
  public static byte[] ofConfigured(String configured, String whose) {
    if (configured.startsWith(SHA256_PREFIX)) {
      String hex = configured.substring(SHA256_PREFIX.length());
      if (!SHA256_HEX.matcher(hex).matches()) {
        throw new IllegalArgumentException(
            whose + " starts with sha256: but is not 64 hex digits after it");
      }
      return HexFormat.of().parseHex(hex.toLowerCase(Locale.ROOT));
    }
    return sha256(configured);
  }

  /** SHA-256 of the key's UTF-8 bytes (32 bytes). */
  public static byte[] sha256(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** Whether two digests are equal, in time that does not depend on where they differ. */
  public static boolean same(byte[] digest, byte[] other) {
    return MessageDigest.isEqual(digest, other);
  }
}
