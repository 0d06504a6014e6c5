package io.spanline.schemas.codec.avro;

import io.spanline.schemas.model.AnyValue;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.InstrumentationScope;
import io.spanline.schemas.model.Resource;
import io.spanline.schemas.model.SamplingDecision;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.SpanEvent;
import io.spanline.schemas.model.SpanLink;
import io.spanline.schemas.model.TraceSummary;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.Encoder;
import org.apache.avro.io.EncoderFactory;

/**
 * Writes an {@link AssembledTrace} as Avro binary straight from the model, field by field in the
 * order of {@code AssembledTrace.avsc}, without building the generated records first: the bytes are
 * the ones {@code SpecificDatumWriter} writes for {@link AvroModelMapper#toAvro(AssembledTrace)} (a
 * test holds the two to byte equality), at a fraction of the cost. Each distinct resource is
 * written once, in {@code AssembledTrace.resources} ({@link ResourceTable}); a scope shared by
 * several spans is encoded once and copied.
 */
final class AvroTraceWriter {
  private AvroTraceWriter() {}

  /** A {@code SamplingDecision}, field by field in the order of {@code SamplingDecision.avsc}. */
  static void writeDecision(SamplingDecision d, Encoder out) throws IOException {
    out.writeString(d.tenant());
    out.writeFixed(d.traceId().toBytes());
    out.writeEnum(d.outcome().ordinal());
    out.writeArrayStart();
    out.setItemCount(d.policies().size());
    for (String policy : d.policies()) {
      out.startItem();
      out.writeString(policy);
    }
    out.writeArrayEnd();
    out.writeDouble(d.samplingProbability());
    out.writeLong(d.decidedAtEpochNanos());
  }

  static void write(AssembledTrace t, Encoder out) throws IOException {
    TraceSummary s = t.summary();
    out.writeString(t.tenant());
    out.writeFixed(t.traceId().toBytes());
    out.writeInt(t.fragment());
    out.writeString(s.rootServiceName());
    out.writeString(s.rootSpanName());
    out.writeLong(s.startEpochNanos());
    out.writeLong(s.endEpochNanos());
    out.writeLong(s.durationNanos());
    out.writeInt(s.spanCount());
    out.writeBoolean(s.error());
    out.writeArrayStart();
    out.setItemCount(s.services().size());
    for (String service : s.services()) {
      out.startItem();
      out.writeString(service);
    }
    out.writeArrayEnd();
    out.writeInt(s.missingParentSpanCount());
    ResourceTable resources = new ResourceTable();
    int[] resourceIndex = new int[t.spans().size()];
    for (int i = 0; i < resourceIndex.length; i++) {
      resourceIndex[i] = resources.indexOf(t.spans().get(i).resource());
    }
    out.writeArrayStart();
    out.setItemCount(resources.entries().size());
    for (byte[] resource : resources.entries()) {
      out.startItem();
      out.writeFixed(resource);
    }
    out.writeArrayEnd();
    Map<Object, byte[]> shared = new IdentityHashMap<>();
    out.writeArrayStart();
    out.setItemCount(t.spans().size());
    for (int i = 0; i < resourceIndex.length; i++) {
      out.startItem();
      writeSpan(t.spans().get(i), resourceIndex[i], out, shared);
    }
    out.writeArrayEnd();
  }

  /** The Avro bytes of an empty {@code Resource}: no attributes, 0 dropped, no schema URL. */
  private static final byte[] EMPTY_RESOURCE = {0, 0, 0};

  private static void writeSpan(Span s, int resourceIndex, Encoder out, Map<Object, byte[]> shared)
      throws IOException {
    out.writeFixed(s.traceId().toBytes());
    out.writeFixed(s.spanId().toBytes());
    if (s.parentSpanId() == null) {
      out.writeIndex(0);
      out.writeNull();
    } else {
      out.writeIndex(1);
      out.writeFixed(s.parentSpanId().toBytes());
    }
    out.writeString(s.traceState());
    out.writeInt(s.flags());
    out.writeString(s.name());
    out.writeEnum(s.kind().ordinal());
    out.writeLong(s.startEpochNanos());
    out.writeLong(s.endEpochNanos());
    writeAttributes(s.attributes(), out);
    out.writeInt(s.droppedAttributesCount());
    out.writeArrayStart();
    out.setItemCount(s.events().size());
    for (SpanEvent e : s.events()) {
      out.startItem();
      out.writeLong(e.epochNanos());
      out.writeString(e.name());
      writeAttributes(e.attributes(), out);
      out.writeInt(e.droppedAttributesCount());
    }
    out.writeArrayEnd();
    out.writeInt(s.droppedEventsCount());
    out.writeArrayStart();
    out.setItemCount(s.links().size());
    for (SpanLink l : s.links()) {
      out.startItem();
      out.writeFixed(l.traceId().toBytes());
      out.writeFixed(l.spanId().toBytes());
      out.writeString(l.traceState());
      writeAttributes(l.attributes(), out);
      out.writeInt(l.droppedAttributesCount());
      out.writeInt(l.flags());
    }
    out.writeArrayEnd();
    out.writeInt(s.droppedLinksCount());
    out.writeEnum(s.status().code().ordinal());
    out.writeString(s.status().message());
    out.writeFixed(EMPTY_RESOURCE);
    out.writeFixed(shared.computeIfAbsent(s.scope(), sc -> encode((InstrumentationScope) sc)));
    out.writeInt(resourceIndex);
  }

  /** A {@code Resource} record's Avro bytes. */
  static byte[] encode(Resource r) {
    return encoded(
        out -> {
          writeAttributes(r.attributes(), out);
          out.writeInt(r.droppedAttributesCount());
          out.writeString(r.schemaUrl());
        });
  }

  private static byte[] encode(InstrumentationScope s) {
    return encoded(
        out -> {
          out.writeString(s.name());
          out.writeString(s.version());
          writeAttributes(s.attributes(), out);
          out.writeInt(s.droppedAttributesCount());
          out.writeString(s.schemaUrl());
        });
  }

  private interface Part {
    void writeTo(Encoder out) throws IOException;
  }

  private static byte[] encoded(Part part) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    BinaryEncoder out = EncoderFactory.get().binaryEncoder(bytes, null);
    try {
      part.writeTo(out);
      out.flush();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("writing Avro to memory failed", e);
    }
    return bytes.toByteArray();
  }

  private static void writeAttributes(List<Attribute> attributes, Encoder out) throws IOException {
    out.writeArrayStart();
    out.setItemCount(attributes.size());
    for (Attribute a : attributes) {
      out.startItem();
      out.writeString(a.key());
      writeValue(a.value(), out);
    }
    out.writeArrayEnd();
  }

  /** AnyValue's union: null, string, boolean, long, double, bytes, ArrayValue, KeyValueList. */
  private static void writeValue(AnyValue v, Encoder out) throws IOException {
    if (v instanceof AnyValue.StringValue s) {
      out.writeIndex(1);
      out.writeString(s.value());
    } else if (v instanceof AnyValue.BoolValue b) {
      out.writeIndex(2);
      out.writeBoolean(b.value());
    } else if (v instanceof AnyValue.LongValue l) {
      out.writeIndex(3);
      out.writeLong(l.value());
    } else if (v instanceof AnyValue.DoubleValue d) {
      out.writeIndex(4);
      out.writeDouble(d.value());
    } else if (v instanceof AnyValue.BytesValue b) {
      out.writeIndex(5);
      out.writeBytes(b.value());
    } else if (v instanceof AnyValue.ArrayValue a) {
      out.writeIndex(6);
      out.writeArrayStart();
      out.setItemCount(a.values().size());
      for (AnyValue e : a.values()) {
        out.startItem();
        writeValue(e, out);
      }
      out.writeArrayEnd();
    } else if (v instanceof AnyValue.KeyValueList kv) {
      out.writeIndex(7);
      writeAttributes(kv.values(), out);
    } else {
      out.writeIndex(0);
      out.writeNull();
    }
  }
}
