package io.spanline.query.api;

import com.linecorp.armeria.common.QueryParams;
import io.spanline.query.api.Responses.BadParameter;
import io.spanline.query.tenancy.TenantQueryLimits;
import io.spanline.schemas.model.InvalidIdException;
import io.spanline.schemas.model.SpanId;
import io.spanline.schemas.model.TraceId;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;

/** Reading request parameters; a malformed one is a {@link BadParameter} naming it. */
public final class Params {
  private Params() {}

  public static Optional<Instant> time(QueryParams params, String... names) {
    Optional<String> text = first(params, names);
    if (text.isEmpty() || text.get().isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(OffsetDateTime.parse(text.get()).toInstant());
    } catch (DateTimeParseException e) {
      throw new BadParameter(
          names[0]
              + " must be an RFC 3339 time such as 2026-11-22T10:00:00.123456789Z, was '"
              + text.get()
              + "'");
    }
  }

  /**
   * An integer parameter within {@code 1..max}, {@code fallback} when absent or blank.
   *
   * @throws BadParameter naming {@code names[0]} when it is not such an integer
   */
  public static int count(QueryParams params, int fallback, int max, String... names) {
    boolean results = names[0].equals("limit");
    Optional<String> text = first(params, names).filter(t -> !t.isBlank());
    if (text.isEmpty()) {
      return results ? TenantQueryLimits.capResults(fallback) : fallback;
    }
    int value;
    try {
      value = Integer.parseInt(text.get().strip());
    } catch (NumberFormatException e) {
      throw new BadParameter(names[0] + " must be an integer, was '" + text.get() + "'");
    }
    if (value < 1 || value > max) {
      throw new BadParameter(names[0] + " must be within 1.." + max);
    }
    return results ? TenantQueryLimits.capResults(value) : value;
  }

  public static Optional<String> first(QueryParams params, String... names) {
    for (String n : names) {
      String v = params.get(n);
      if (v != null) {
        return Optional.of(v);
      }
    }
    return Optional.empty();
  }

  /** A trace ID of 1-32 hex chars (left-padded with zeros, as Jaeger reads them), not all zero. */
  public static TraceId traceId(String text) {
    return traceId(text, "trace_id");
  }

  /**
   * As {@link #traceId(String)}, for the parameter {@code name}.
   *
   * @throws BadParameter naming {@code name} when the text is not such an ID
   */
  public static TraceId traceId(String text, String name) {
    if (text.isEmpty() || text.length() > 32 || !text.chars().allMatch(Hex::isHex)) {
      throw new BadParameter(name + " must be 1-32 hex characters, was '" + abbreviate(text) + "'");
    }
    try {
      return TraceId.fromHex("0".repeat(32 - text.length()) + text.toLowerCase(Locale.ROOT));
    } catch (InvalidIdException e) {
      throw new BadParameter(name + " must not be all zeros");
    }
  }

  /**
   * A span ID of 16 hex chars, not all zero.
   *
   * @throws BadParameter naming {@code name} when the text is not such an ID
   */
  public static SpanId spanId(String text, String name) {
    if (text.length() != SpanId.HEX_LENGTH || !text.chars().allMatch(Hex::isHex)) {
      throw new BadParameter(name + " must be 16 hex characters, was '" + abbreviate(text) + "'");
    }
    try {
      return SpanId.fromHex(text.toLowerCase(Locale.ROOT));
    } catch (InvalidIdException e) {
      throw new BadParameter(name + " must not be all zeros");
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "…";
  }

  public static long nanos(Instant i) {
    return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000_000L), i.getNano());
  }

  /** Hex digits. */
  private static final class Hex {
    static boolean isHex(int c) {
      return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
  }
}
