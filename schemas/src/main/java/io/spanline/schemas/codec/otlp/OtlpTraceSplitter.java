package io.spanline.schemas.codec.otlp;

import io.spanline.schemas.codec.MalformedOtlpException;
import io.spanline.schemas.model.InvalidIdException;
import io.spanline.schemas.model.Span;
import java.util.List;
import java.util.Set;

/**
 * Splits OTLP {@code TracesData} protobuf by trace ID (one part per trace, in order of first
 * appearance), then, where a part is larger than a byte limit, into several parts under the limit.
 * Every span lands in exactly one part, with its resource, scope and schema URLs, and spans keep
 * their relative order. Strict: a span with an invalid ID fails the whole split. The work is done
 * at the wire level by {@link OtlpWireSplitter}, keeping every span.
 */
public final class OtlpTraceSplitter {
  /** A policy that keeps every span as it is (shared with the package's tests). */
  static final SpanPolicy KEEP_ALL =
      new SpanPolicy() {
        @Override
        public Set<String> watchedKeys() {
          return Set.of();
        }

        @Override
        public Verdict judge(SpanFacts facts) {
          return Verdict.keep();
        }

        @Override
        public Span rewrite(Span span) {
          return span;
        }
      };

  private OtlpTraceSplitter() {}

  /**
   * Splits by trace ID, then each trace under {@code maxPartBytes}. A request that holds a single
   * trace within the limit is returned as the same byte array, not re-encoded.
   *
   * @param maxPartBytes largest encoded part wanted, e.g. the topic's max.message.bytes less room
   *     for the record's key and headers; a single span that alone exceeds it is returned in a part
   *     of its own, larger than the limit, for the caller to reject
   * @throws MalformedOtlpException if the bytes are not valid {@code TracesData} protobuf
   * @throws InvalidIdException if a span's trace, span, parent or link ID breaks the OTLP rules
   * @throws IllegalArgumentException if {@code maxPartBytes} is not positive
   */
  public static List<TracePart> split(byte[] tracesData, int maxPartBytes) {
    WireSplit split = OtlpWireSplitter.split(tracesData, KEEP_ALL, maxPartBytes);
    if (!split.rejections().isEmpty()) {
      throw new InvalidIdException(split.rejections().get(0).detail());
    }
    List<TracePart> parts = split.parts();
    if (parts.size() == 1 && tracesData.length <= maxPartBytes) {
      TracePart only = parts.get(0);
      return List.of(new TracePart(only.traceId(), tracesData, only.spanCount()));
    }
    return parts;
  }

  /**
   * One part per trace ID, whatever its size, leaving out spans with invalid IDs (reported in
   * {@link WireSplit#rejections()}) instead of failing. A request holding one trace and no invalid
   * span comes back as one part holding the very same bytes.
   *
   * @throws MalformedOtlpException if the bytes are not valid {@code TracesData} protobuf
   */
  public static WireSplit splitByTraceLenient(byte[] tracesData) {
    return OtlpWireSplitter.split(tracesData, KEEP_ALL, Integer.MAX_VALUE, true);
  }

  /**
   * One part per trace ID, whatever its size.
   *
   * @throws MalformedOtlpException if the bytes are not valid {@code TracesData} protobuf
   * @throws InvalidIdException if a span's IDs break the OTLP rules
   */
  public static List<TracePart> splitByTrace(byte[] tracesData) {
    return split(tracesData, Integer.MAX_VALUE);
  }

  /**
   * Splits one trace's part into parts of at most {@code maxPartBytes}, packing spans greedily in
   * order. Sizes are bounded from above (length prefixes counted at their widest), so every part
   * but a lone oversized span fits.
   *
   * @throws IllegalArgumentException if {@code maxPartBytes} is not positive
   */
  static List<TracePart> splitBySize(TracePart part, int maxPartBytes) {
    return split(part.tracesData(), maxPartBytes);
  }
}
