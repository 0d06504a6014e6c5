package io.spanline.query.traceql;

import io.spanline.schemas.model.AnyValue;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.SpanEvent;
import io.spanline.schemas.model.SpanLink;
import io.spanline.storage.SpanCondition;
import io.spanline.storage.SpanCondition.AllOf;
import io.spanline.storage.SpanCondition.AnyOf;
import io.spanline.storage.SpanCondition.AttributeEquals;
import io.spanline.storage.SpanCondition.Compare;
import io.spanline.storage.SpanCondition.HasAttribute;
import io.spanline.storage.SpanCondition.LinksTo;
import java.util.ArrayList;
import java.util.List;

/** A reference reading of a {@link SpanCondition} on one span, as its Javadoc says a store must. */
final class ReferenceConditions {
  private ReferenceConditions() {}

  static boolean holds(SpanCondition c, Span s) {
    if (c instanceof SpanCondition.Any) {
      return true;
    }
    if (c instanceof AllOf all) {
      return all.conditions().stream().allMatch(x -> holds(x, s));
    }
    if (c instanceof AnyOf any) {
      return any.conditions().stream().anyMatch(x -> holds(x, s));
    }
    if (c instanceof SpanCondition.Root) {
      return s.parentSpanId() == null;
    }
    if (c instanceof AttributeEquals a) {
      return attributeLists(s).stream()
          .anyMatch(
              list ->
                  Attribute.find(list, a.key())
                      .filter(
                          v ->
                              v.asText().equals(a.text())
                                  || (v instanceof AnyValue.ArrayValue array
                                      && array.values().stream()
                                          .anyMatch(e -> e.asText().equals(a.text()))))
                      .isPresent());
    }
    if (c instanceof HasAttribute h) {
      return attributeLists(s).stream().anyMatch(list -> Attribute.find(list, h.key()).isPresent());
    }
    if (c instanceof LinksTo l) {
      return s.links().stream().anyMatch(link -> link.traceId().equals(l.traceId()));
    }
    Compare cmp = (Compare) c;
    Object actual =
        switch (cmp.field()) {
          case NAME -> s.name();
          case SERVICE -> s.serviceName();
          case KIND -> s.kind().name();
          case STATUS -> s.status().code().name();
          case DURATION_NANOS -> s.durationNanos();
          case SPAN_ID -> s.spanId().toHex();
          case PARENT_SPAN_ID -> s.parentSpanId() == null ? null : s.parentSpanId().toHex();
          case TRACE_ID -> s.traceId().toHex();
        };
    if (actual == null) {
      return false;
    }
    @SuppressWarnings({"unchecked", "rawtypes"})
    int order = ((Comparable) actual).compareTo(cmp.value());
    return switch (cmp.operator()) {
      case EQ -> order == 0;
      case NE -> order != 0;
      case GT -> order > 0;
      case GE -> order >= 0;
      case LT -> order < 0;
      case LE -> order <= 0;
    };
  }

  /** The span's own attributes, its events', links', resource's and scope's. */
  private static List<List<Attribute>> attributeLists(Span s) {
    List<List<Attribute>> lists = new ArrayList<>();
    lists.add(s.attributes());
    for (SpanEvent e : s.events()) {
      lists.add(e.attributes());
    }
    for (SpanLink l : s.links()) {
      lists.add(l.attributes());
    }
    lists.add(s.resource().attributes());
    lists.add(s.scope().attributes());
    return lists;
  }
}
