package io.spanline.gateway.ingest;

import io.spanline.gateway.config.TenantLimits;
import io.spanline.schemas.model.AnyValue;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.SpanEvent;
import io.spanline.schemas.model.SpanLink;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Applies a tenant's per-span limits, as OpenTelemetry SDK span limits do: attributes (of the span,
 * its events and links), events and links beyond the limit are dropped and added to the matching
 * dropped count; string and bytes values longer than the limit are truncated (strings at a
 * character boundary, in UTF-8 bytes) and the span gets the attribute {@value #TRUNCATED_KEY}
 * listing the keys it truncated. A span within its limits is returned as it is.
 */
final class SpanLimiter {
  /** Attribute naming the attribute keys whose values the gateway truncated. */
  static final String TRUNCATED_KEY = "spanline.truncated_attributes";

  private SpanLimiter() {}

  static Span apply(Span span, TenantLimits limits) {
    if (withinLimits(span, limits)) {
      return span;
    }
    Set<String> truncated = new LinkedHashSet<>();
    List<Attribute> attributes = limitAttributes(span.attributes(), limits, truncated);
    int droppedAttributes = span.attributes().size() - attributes.size();

    List<SpanEvent> events = new ArrayList<>();
    for (SpanEvent e :
        span.events().subList(0, Math.min(span.events().size(), limits.maxEventsPerSpan()))) {
      List<Attribute> kept = limitAttributes(e.attributes(), limits, truncated);
      events.add(
          new SpanEvent(
              e.epochNanos(),
              e.name(),
              kept,
              e.droppedAttributesCount() + e.attributes().size() - kept.size()));
    }
    List<SpanLink> links = new ArrayList<>();
    for (SpanLink l :
        span.links().subList(0, Math.min(span.links().size(), limits.maxLinksPerSpan()))) {
      List<Attribute> kept = limitAttributes(l.attributes(), limits, truncated);
      links.add(
          new SpanLink(
              l.traceId(),
              l.spanId(),
              l.traceState(),
              kept,
              l.droppedAttributesCount() + l.attributes().size() - kept.size(),
              l.flags()));
    }
    Span.Builder b =
        span.toBuilder()
            .attributes(attributes)
            .droppedAttributesCount(span.droppedAttributesCount() + droppedAttributes)
            .droppedEventsCount(span.droppedEventsCount() + span.events().size() - events.size())
            .droppedLinksCount(span.droppedLinksCount() + span.links().size() - links.size())
            .events(events)
            .links(links);
    if (!truncated.isEmpty()) {
      List<AnyValue> keys = truncated.stream().map(AnyValue::of).toList();
      b.addAttribute(new Attribute(TRUNCATED_KEY, AnyValue.ofArray(keys)));
    }
    return b.build();
  }

  private static boolean withinLimits(Span span, TenantLimits limits) {
    if (span.attributes().size() > limits.maxAttributesPerSpan()
        || span.events().size() > limits.maxEventsPerSpan()
        || span.links().size() > limits.maxLinksPerSpan()
        || !valuesFit(span.attributes(), limits)) {
      return false;
    }
    for (SpanEvent e : span.events()) {
      if (e.attributes().size() > limits.maxAttributesPerSpan()
          || !valuesFit(e.attributes(), limits)) {
        return false;
      }
    }
    for (SpanLink l : span.links()) {
      if (l.attributes().size() > limits.maxAttributesPerSpan()
          || !valuesFit(l.attributes(), limits)) {
        return false;
      }
    }
    return true;
  }

  private static boolean valuesFit(List<Attribute> attributes, TenantLimits limits) {
    for (Attribute a : attributes) {
      if (!fits(a.value(), limits.maxAttributeValueBytes())) {
        return false;
      }
    }
    return true;
  }

  private static boolean fits(AnyValue value, int maxBytes) {
    if (value instanceof AnyValue.StringValue s) {
      // UTF-8 needs at most 3 bytes per UTF-16 char
      return s.value().length() * 3 <= maxBytes
          || s.value().getBytes(StandardCharsets.UTF_8).length <= maxBytes;
    }
    if (value instanceof AnyValue.BytesValue b) {
      return b.value().length <= maxBytes;
    }
    if (value instanceof AnyValue.ArrayValue a) {
      return a.values().stream().allMatch(v -> fits(v, maxBytes));
    }
    if (value instanceof AnyValue.KeyValueList kv) {
      return kv.values().stream().allMatch(v -> fits(v.value(), maxBytes));
    }
    return true;
  }

  private static List<Attribute> limitAttributes(
      List<Attribute> attributes, TenantLimits limits, Set<String> truncated) {
    List<Attribute> kept =
        attributes.subList(0, Math.min(attributes.size(), limits.maxAttributesPerSpan()));
    if (valuesFit(kept, limits)) {
      return kept;
    }
    List<Attribute> out = new ArrayList<>(kept.size());
    for (Attribute a : kept) {
      AnyValue value = truncate(a.value(), limits.maxAttributeValueBytes());
      if (value != a.value()) {
        truncated.add(a.key());
      }
      out.add(value == a.value() ? a : new Attribute(a.key(), value));
    }
    return out;
  }

  /** The value cut to {@code maxBytes}, or the same instance when it fits. */
  static AnyValue truncate(AnyValue value, int maxBytes) {
    if (fits(value, maxBytes)) {
      return value;
    }
    if (value instanceof AnyValue.StringValue s) {
      return AnyValue.of(truncateUtf8(s.value(), maxBytes));
    }
    if (value instanceof AnyValue.BytesValue b) {
      return AnyValue.ofBytes(Arrays.copyOf(b.value(), maxBytes));
    }
    if (value instanceof AnyValue.ArrayValue a) {
      return AnyValue.ofArray(a.values().stream().map(v -> truncate(v, maxBytes)).toList());
    }
    if (value instanceof AnyValue.KeyValueList kv) {
      return AnyValue.ofKeyValues(
          kv.values().stream()
              .map(e -> new Attribute(e.key(), truncate(e.value(), maxBytes)))
              .toList());
    }
    return value;
  }

  /** The longest prefix whose UTF-8 form fits in {@code maxBytes}, never splitting a character. */
  static String truncateUtf8(String s, int maxBytes) {
    int bytes = 0;
    int i = 0;
    while (i < s.length()) {
      int cp = s.codePointAt(i);
      int size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      if (bytes + size > maxBytes) {
        break;
      }
      bytes += size;
      i += Character.charCount(cp);
    }
    return s.substring(0, i);
  }
}
