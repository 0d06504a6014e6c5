package io.spanline.schemas.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;

/**
 * Spanline's schema-evolution rule (docs/RATIONALE.md): a new version may only add fields, and
 * every added field needs a default; nothing is removed, renamed or retyped. Then old readers read
 * new data and new readers read old data (Avro FULL compatibility), so producers and consumers can
 * be upgraded in any order and topics can be replayed from the start.
 */
public final class AvroEvolutionRule {
  private AvroEvolutionRule() {}

  /** Breaches of the rule going from {@code previous} to {@code current}; empty when none. */
  public static List<String> violations(Schema previous, Schema current) {
    List<String> out = new ArrayList<>();
    Map<String, Schema> before = new HashMap<>();
    collectRecords(previous, before);
    Map<String, Schema> after = new HashMap<>();
    collectRecords(current, after);
    for (Map.Entry<String, Schema> e : before.entrySet()) {
      Schema now = after.get(e.getKey());
      if (now == null) {
        out.add("record " + e.getKey() + " was removed or renamed");
        continue;
      }
      for (Schema.Field old : e.getValue().getFields()) {
        if (now.getField(old.name()) == null) {
          out.add("field " + e.getKey() + "." + old.name() + " was removed or renamed");
        }
      }
      for (Schema.Field field : now.getFields()) {
        if (e.getValue().getField(field.name()) == null && !field.hasDefaultValue()) {
          out.add("new field " + e.getKey() + "." + field.name() + " has no default");
        }
      }
    }
    if (SchemaCompatibility.checkReaderWriterCompatibility(current, previous).getType()
        != SchemaCompatibilityType.COMPATIBLE) {
      out.add("the current schema cannot read data written with the previous one (backward)");
    }
    if (SchemaCompatibility.checkReaderWriterCompatibility(previous, current).getType()
        != SchemaCompatibilityType.COMPATIBLE) {
      out.add("the previous schema cannot read data written with the current one (forward)");
    }
    return out;
  }

  private static void collectRecords(Schema schema, Map<String, Schema> out) {
    switch (schema.getType()) {
      case RECORD -> {
        if (out.putIfAbsent(schema.getFullName(), schema) == null) {
          schema.getFields().forEach(f -> collectRecords(f.schema(), out));
        }
      }
      case ARRAY -> collectRecords(schema.getElementType(), out);
      case MAP -> collectRecords(schema.getValueType(), out);
      case UNION -> schema.getTypes().forEach(t -> collectRecords(t, out));
      default -> {}
    }
  }
}
