package io.spanline.gateway.ingest;

import io.spanline.gateway.config.RedactionRule;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.Resource;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.SpanEvent;
import io.spanline.schemas.model.SpanLink;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Applies attribute redaction rules to span, event, link and resource attributes, by exact key:
 * drop the attribute, mask what matches a pattern in its text, or replace it by the lowercase hex
 * SHA-256 of its text. Spans and resources without a matching key are returned as they are.
 */
final class Redactor {
  private final Map<String, RedactionRule> rules;

  Redactor(List<RedactionRule> rules) {
    this.rules =
        rules.stream()
            .collect(Collectors.toMap(RedactionRule::key, Function.identity(), (a, b) -> a));
  }

  /** The resource with its attributes redacted; the same instance when no rule applies. */
  Resource redact(Resource r) {
    List<Attribute> attributes = redact(r.attributes());
    return attributes == r.attributes()
        ? r
        : new Resource(attributes, r.droppedAttributesCount(), r.schemaUrl());
  }

  /**
   * The span with its own, its events' and its links' attributes redacted; the same instance when
   * no rule applies. Its resource is left alone: resources are redacted once each, by {@link
   * #redact(Resource)}.
   */
  Span redact(Span span) {
    List<Attribute> attributes = redact(span.attributes());
    List<SpanEvent> events = new ArrayList<>(span.events().size());
    boolean changed = attributes != span.attributes();
    for (SpanEvent e : span.events()) {
      List<Attribute> a = redact(e.attributes());
      changed |= a != e.attributes();
      events.add(
          a == e.attributes()
              ? e
              : new SpanEvent(e.epochNanos(), e.name(), a, e.droppedAttributesCount()));
    }
    List<SpanLink> links = new ArrayList<>(span.links().size());
    for (SpanLink l : span.links()) {
      List<Attribute> a = redact(l.attributes());
      changed |= a != l.attributes();
      links.add(
          a == l.attributes()
              ? l
              : new SpanLink(
                  l.traceId(),
                  l.spanId(),
                  l.traceState(),
                  a,
                  l.droppedAttributesCount(),
                  l.flags()));
    }
    if (!changed) {
      return span;
    }
    return span.toBuilder().attributes(attributes).events(events).links(links).build();
  }

  /** The same list when no rule applies, else a redacted copy. */
  List<Attribute> redact(List<Attribute> attributes) {
    List<Attribute> out = null;
    for (int i = 0; i < attributes.size(); i++) {
      Attribute a = attributes.get(i);
      RedactionRule rule = rules.get(a.key());
      if (rule == null) {
        if (out != null) {
          out.add(a);
        }
        continue;
      }
      if (out == null) {
        out = new ArrayList<>(attributes.subList(0, i));
      }
      switch (rule.action()) {
        case DROP -> {}
        case HASH -> out.add(Attribute.of(a.key(), sha256(a.value().asText())));
        case MASK ->
            out.add(
                Attribute.of(
                    a.key(),
                    rule.pattern().matcher(a.value().asText()).replaceAll(rule.replacement())));
      }
    }
    return out == null ? attributes : out;
  }

  static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
