package io.spanline.storage.archive;

import io.spanline.storage.SpanCondition;
import io.spanline.storage.SpanCondition.Compare;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.filter2.predicate.FilterApi;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.apache.parquet.filter2.predicate.Operators.BinaryColumn;
import org.apache.parquet.filter2.predicate.Operators.LongColumn;
import org.apache.parquet.io.api.Binary;

/**
 * A {@link SpanCondition} over the archive's span rows: the part Parquet can evaluate as a {@link
 * FilterPredicate} (a necessary condition: it may keep rows the condition rejects, never the other
 * way) and the exact test of a row read with the columns named.
 *
 * <p>Pushed down: equality and inequality of name, service, kind, status and the IDs; every
 * comparison of the duration; the root (no parent). String order comparisons are only tested on the
 * rows (Parquet orders UTF-8 bytes, the condition UTF-16 code units). Attribute conditions are
 * tested on the span's and its resource's attribute maps (values in text form), not on events,
 * links or the scope, and an array value only as a whole; link conditions cannot be tested (no link
 * columns) and hold on every row, so the caller must check them on the traces.
 */
final class SpanConditionRows {
  private SpanConditionRows() {}

  /** Parquet's part of the condition; empty when it narrows nothing. Adds the columns it reads. */
  static Optional<FilterPredicate> pushed(SpanCondition c, Set<String> columns) {
    if (c instanceof SpanCondition.AllOf all) {
      FilterPredicate out = null;
      for (SpanCondition part : all.conditions()) {
        Optional<FilterPredicate> p = pushed(part, columns);
        if (p.isPresent()) {
          out = out == null ? p.get() : FilterApi.and(out, p.get());
        }
      }
      return Optional.ofNullable(out);
    }
    if (c instanceof SpanCondition.AnyOf any) {
      if (any.conditions().isEmpty()) {
        return Optional.empty(); // never holds: the row test rejects every row
      }
      FilterPredicate out = null;
      for (SpanCondition part : any.conditions()) {
        Optional<FilterPredicate> p = pushed(part, columns);
        if (p.isEmpty()) {
          return Optional.empty(); // one side narrows nothing: neither does the union
        }
        out = out == null ? p.get() : FilterApi.or(out, p.get());
      }
      return Optional.of(out);
    }
    if (c instanceof SpanCondition.Root) {
      columns.add("parent_span_id");
      return Optional.of(FilterApi.eq(FilterApi.binaryColumn("parent_span_id"), null));
    }
    if (c instanceof Compare cmp) {
      String column = column(cmp.field());
      columns.add(column);
      if (cmp.field() == SpanCondition.Field.DURATION_NANOS) {
        LongColumn col = FilterApi.longColumn(column);
        long v = (Long) cmp.value();
        return Optional.of(
            switch (cmp.operator()) {
              case EQ -> FilterApi.eq(col, v);
              case NE -> FilterApi.notEq(col, v);
              case GT -> FilterApi.gt(col, v);
              case GE -> FilterApi.gtEq(col, v);
              case LT -> FilterApi.lt(col, v);
              case LE -> FilterApi.ltEq(col, v);
            });
      }
      BinaryColumn col = FilterApi.binaryColumn(column);
      Binary v = Binary.fromString((String) cmp.value());
      switch (cmp.operator()) {
        case EQ:
          return Optional.of(FilterApi.eq(col, v));
        case NE:
          // a root's missing parent matches no comparison
          return Optional.of(
              cmp.field() == SpanCondition.Field.PARENT_SPAN_ID
                  ? FilterApi.and(FilterApi.notEq(col, v), FilterApi.notEq(col, null))
                  : FilterApi.notEq(col, v));
        default:
          return Optional.empty();
      }
    }
    return Optional.empty();
  }

  /** The exact test of a row (read with the columns this adds). */
  static Predicate<GenericRecord> test(SpanCondition c, Set<String> columns) {
    if (c instanceof SpanCondition.Any || c instanceof SpanCondition.LinksTo) {
      return r -> true;
    }
    if (c instanceof SpanCondition.AllOf all) {
      List<Predicate<GenericRecord>> parts = new ArrayList<>();
      all.conditions().forEach(p -> parts.add(test(p, columns)));
      return r -> parts.stream().allMatch(p -> p.test(r));
    }
    if (c instanceof SpanCondition.AnyOf any) {
      List<Predicate<GenericRecord>> parts = new ArrayList<>();
      any.conditions().forEach(p -> parts.add(test(p, columns)));
      return r -> parts.stream().anyMatch(p -> p.test(r));
    }
    if (c instanceof SpanCondition.Root) {
      columns.add("parent_span_id");
      return r -> r.get("parent_span_id") == null;
    }
    if (c instanceof SpanCondition.AttributeEquals eq) {
      columns.add("attributes");
      columns.add("resource_attributes");
      return r ->
          eq.text().equals(value(r, "attributes", eq.key()))
              || eq.text().equals(value(r, "resource_attributes", eq.key()));
    }
    if (c instanceof SpanCondition.HasAttribute has) {
      columns.add("attributes");
      columns.add("resource_attributes");
      return r ->
          value(r, "attributes", has.key()) != null
              || value(r, "resource_attributes", has.key()) != null;
    }
    Compare cmp = (Compare) c;
    String column = column(cmp.field());
    columns.add(column);
    if (cmp.field() == SpanCondition.Field.DURATION_NANOS) {
      long v = (Long) cmp.value();
      return r -> holds(cmp.operator(), Long.compare(((Number) r.get(column)).longValue(), v));
    }
    String v = (String) cmp.value();
    return r -> {
      Object got = r.get(column);
      return got != null && holds(cmp.operator(), got.toString().compareTo(v));
    };
  }

  private static boolean holds(SpanCondition.Operator op, int compared) {
    return switch (op) {
      case EQ -> compared == 0;
      case NE -> compared != 0;
      case GT -> compared > 0;
      case GE -> compared >= 0;
      case LT -> compared < 0;
      case LE -> compared <= 0;
    };
  }

  /** A map column's value for the key in text form, or null. */
  private static String value(GenericRecord r, String column, String key) {
    Map<?, ?> map = (Map<?, ?>) r.get(column);
    if (map == null) {
      return null;
    }
    // Avro maps read back with Utf8 keys and values
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (key.equals(String.valueOf(e.getKey()))) {
        return String.valueOf(e.getValue());
      }
    }
    return null;
  }

  private static String column(SpanCondition.Field field) {
    return switch (field) {
      case NAME -> "span_name";
      case SERVICE -> "service_name";
      case KIND -> "span_kind";
      case STATUS -> "status_code";
      case DURATION_NANOS -> "duration_nanos";
      case SPAN_ID -> "span_id";
      case PARENT_SPAN_ID -> "parent_span_id";
      case TRACE_ID -> "trace_id";
    };
  }
}
