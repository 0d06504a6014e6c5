package io.spanline.query.api;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Go's {@code time.ParseDuration} syntax, as Jaeger's api_v3 HTTP gateway reads {@code
 * query.durationMin}/{@code Max}: a sequence of decimal numbers, each with an optional fraction and
 * a unit ({@code ns}, {@code us} or {@code µs}, {@code ms}, {@code s}, {@code m}, {@code h}), e.g.
 * {@code 1.5s}, {@code 250ms}, {@code 1h30m}; an optional leading sign; {@code 0} alone.
 */
public final class GoDurations {
  private static final Pattern PART = Pattern.compile("([0-9]*\\.?[0-9]*)(ns|us|µs|μs|ms|s|m|h)");

  private GoDurations() {}

  /**
   * @return nanoseconds
   * @throws IllegalArgumentException if the text is not a Go duration or overflows
   */
  public static long parseNanos(String text) {
    String s = text.strip();
    if (s.isEmpty()) {
      throw new IllegalArgumentException("empty duration");
    }
    boolean negative = false;
    if (s.charAt(0) == '-' || s.charAt(0) == '+') {
      negative = s.charAt(0) == '-';
      s = s.substring(1);
    }
    if (s.equals("0")) {
      return 0;
    }
    Matcher m = PART.matcher(s);
    int at = 0;
    double total = 0;
    while (at < s.length()) {
      if (!m.find(at) || m.start() != at || m.group(1).isEmpty() || m.group(1).equals(".")) {
        throw new IllegalArgumentException(
            "invalid duration '" + text + "' (Go syntax, e.g. 1.5s, 250ms, 1h30m)");
      }
      total += Double.parseDouble(m.group(1)) * unitNanos(m.group(2));
      at = m.end();
    }
    if (total > Long.MAX_VALUE) {
      throw new IllegalArgumentException("duration '" + text + "' is too long");
    }
    long nanos = Math.round(total);
    return negative ? -nanos : nanos;
  }

  private static double unitNanos(String unit) {
    return switch (unit) {
      case "ns" -> 1;
      case "us", "µs", "μs" -> 1e3;
      case "ms" -> 1e6;
      case "s" -> 1e9;
      case "m" -> 60e9;
      default -> 3600e9;
    };
  }
}
