package io.spanline.gateway.ingest;

import io.spanline.schemas.codec.MalformedOtlpException;
import io.spanline.schemas.codec.otlp.OtlpWireSplitter;
import io.spanline.schemas.codec.otlp.SpanFacts;
import io.spanline.schemas.codec.otlp.SpanPolicy;
import io.spanline.schemas.model.AnyValue;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.TraceId;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The debug switch's two inputs: the request header {@value #HEADER} and the span attribute {@code
 * debug.attribute} (default {@code spanline.debug}, what an SDK's baggage span processor copies
 * from the W3C baggage entry {@code spanline.debug=1}). A value marks when it is the boolean {@code
 * true}, the string {@code "true"} (any case) or {@code "1"}, or the integer 1 — the sampling
 * stream's rule.
 */
final class DebugMarks {
  /** The request header that marks every trace of an export request. */
  static final String HEADER = "spanline-debug";

  private DebugMarks() {}

  /**
   * The header's meaning.
   *
   * @param value the header's value, null when absent
   * @return whether it marks the request
   * @throws IllegalArgumentException when it is not {@code 1}, {@code true}, {@code 0} or {@code
   *     false} (any case, surrounding blanks ignored)
   */
  static boolean headerMarks(String value) {
    if (value == null) {
      return false;
    }
    String v = value.strip().toLowerCase(Locale.ROOT);
    switch (v) {
      case "1", "true" -> {
        return true;
      }
      case "0", "false", "" -> {
        return false;
      }
      default ->
          throw new IllegalArgumentException(
              "the "
                  + HEADER
                  + " header must be 1, true, 0 or false, was \""
                  + value.strip()
                  + "\"");
    }
  }

  /** Whether an attribute value marks a trace. */
  static boolean marks(AnyValue v) {
    return (v instanceof AnyValue.BoolValue b && b.value())
        || (v instanceof AnyValue.StringValue s
            && (s.value().equalsIgnoreCase("true") || s.value().equals("1")))
        || (v instanceof AnyValue.LongValue l && l.value() == 1);
  }

  /** Whether the span's own attributes mark its trace. */
  static boolean marks(Span span, String attribute) {
    Optional<AnyValue> v = Attribute.find(span.attributes(), attribute);
    return v.isPresent() && marks(v.get());
  }

  /**
   * The trace IDs of the spans in an OTLP {@code TracesData} whose own attributes mark them. A
   * request whose bytes do not hold the attribute's key at all is answered without a scan;
   * otherwise only spans holding the key are decoded.
   *
   * @throws MalformedOtlpException when the bytes are not OTLP protobuf
   */
  static Set<TraceId> markedTraces(byte[] tracesData, String attribute)
      throws MalformedOtlpException {
    byte[] key = attribute.getBytes(StandardCharsets.UTF_8);
    if (!contains(tracesData, key)) {
      return Set.of();
    }
    Set<TraceId> marked = new HashSet<>();
    OtlpWireSplitter.split(
        tracesData,
        new SpanPolicy() {
          @Override
          public Set<String> watchedKeys() {
            return Set.of(attribute);
          }

          @Override
          public Verdict judge(SpanFacts facts) {
            return facts.watchedKey() ? Verdict.rewrite() : Verdict.drop();
          }

          @Override
          public Span rewrite(Span span) {
            if (marks(span, attribute)) {
              marked.add(span.traceId());
            }
            return span;
          }
        },
        Integer.MAX_VALUE);
    return marked;
  }

  /** Whether {@code needle} occurs in {@code haystack}. */
  static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
