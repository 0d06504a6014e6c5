package io.spanline.gateway.config;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One attribute redaction rule, applied in the gateway before spans reach Kafka, to span, event,
 * link and resource attributes whose key matches {@link #key()} exactly.
 *
 * @param action what to do: {@code DROP} the attribute, {@code MASK} the parts of its value that
 *     match {@link #pattern()} with {@link #replacement()}, or {@code HASH} the value (lowercase
 *     hex SHA-256 of its text)
 */
public record RedactionRule(String key, Action action, Pattern pattern, String replacement) {
  public enum Action {
    DROP,
    MASK,
    HASH
  }

  /**
   * @throws IllegalArgumentException if a MASK rule has no pattern
   */
  public RedactionRule {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(action, "action");
    if (action == Action.MASK && pattern == null) {
      throw new IllegalArgumentException("redaction rule for '" + key + "': mask needs a pattern");
    }
    replacement = replacement == null ? "***" : replacement;
  }
}
