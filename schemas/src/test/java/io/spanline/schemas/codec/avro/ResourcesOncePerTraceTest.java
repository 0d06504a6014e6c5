package io.spanline.schemas.codec.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spanline.schemas.codec.MalformedAvroException;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.model.TraceView;
import io.spanline.schemas.testing.TestSpans;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

/**
 * An {@code AssembledTrace} carries each distinct resource once ({@code resources}), its spans
 * point at theirs ({@code Span.resourceIndex}); records whose spans carry their resources
 * themselves — written before the change, or with index -1 — read the same.
 */
class ResourcesOncePerTraceTest {
  private static final TestSpans SPANS = new TestSpans(41);

  /** 30 spans of two services, each span with its own (equal) resource instance. */
  private static AssembledTrace twoServices() {
    TraceId trace = SPANS.traceId();
    List<Span> list = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      list.add(
          SPANS.span(
              trace,
              i == 0 ? null : SPANS.spanId(),
              TestSpans.resource(i % 3 == 1 ? "payments" : "checkout"),
              TestSpans.scope("lib"),
              20));
    }
    return AssembledTrace.of("t", trace, 0, list);
  }

  @Test
  void eachDistinctResourceIsWrittenOnce_inTheOrderTheSpansFirstNameIt() throws IOException {
    AssembledTrace trace = twoServices();

    io.spanline.avro.AssembledTrace avro = specific(AvroRecordCodec.ASSEMBLED_TRACE.encode(trace));

    assertThat(avro.getResources()).hasSize(2);
    String firstService = trace.spans().get(0).resource().serviceName();
    assertThat(avro.getResources().get(0).getAttributes().get(0).getValue().getValue().toString())
        .isEqualTo(firstService);
    for (int i = 0; i < trace.spans().size(); i++) {
      io.spanline.avro.Span span = avro.getSpans().get(i);
      assertThat(span.getResource().getAttributes()).isEmpty();
      boolean first = trace.spans().get(i).resource().serviceName().equals(firstService);
      assertThat(span.getResourceIndex()).isEqualTo(first ? 0 : 1);
    }
    assertThat(
            AvroRecordCodec.ASSEMBLED_TRACE.decode(AvroRecordCodec.ASSEMBLED_TRACE.encode(trace)))
        .isEqualTo(trace);
  }

  @Test
  void spansCarryingTheirResourcesThemselves_readTheSame_andTakeMoreBytes() throws IOException {
    AssembledTrace trace = twoServices();
    byte[] once = AvroRecordCodec.ASSEMBLED_TRACE.encode(trace);
    byte[] inline = inline(once);

    assertThat(AvroRecordCodec.ASSEMBLED_TRACE.decode(inline)).isEqualTo(trace);
    assertSameView(AvroTraceView.of(inline, 0, inline.length), trace);
    assertSameView(AvroTraceView.of(once, 0, once.length), trace);
    assertThat(once.length).isLessThan(inline.length - 20 * 25);
  }

  @Test
  void recordsWrittenWithThePreviousSchema_decodeToTheSameTrace() throws IOException {
    AssembledTrace trace = twoServices();
    Schema v1 = history("v1", "AssembledTrace");
    Schema current = AvroRecordCodec.ASSEMBLED_TRACE.avroSchema();
    byte[] inline = inline(AvroRecordCodec.ASSEMBLED_TRACE.encode(trace));
    GenericRecord asV1 =
        new GenericDatumReader<GenericRecord>(current, v1)
            .read(null, DecoderFactory.get().binaryDecoder(inline, null));
    byte[] writtenWithV1 = write(new GenericDatumWriter<>(v1), asV1);

    AssembledTrace read =
        AvroRecordCodec.ASSEMBLED_TRACE.decode(
            AvroRecordCodec.ASSEMBLED_TRACE.readerFor(v1), writtenWithV1, 0, writtenWithV1.length);

    assertThat(read).isEqualTo(trace);
  }

  @Test
  void aResourceIndexPastTheResources_isMalformed_inBothReaders() throws IOException {
    io.spanline.avro.AssembledTrace avro =
        specific(AvroRecordCodec.ASSEMBLED_TRACE.encode(twoServices()));
    List<io.spanline.avro.Span> spans = new ArrayList<>(avro.getSpans());
    spans.set(3, io.spanline.avro.Span.newBuilder(spans.get(3)).setResourceIndex(2).build());
    byte[] bad =
        write(
            new SpecificDatumWriter<>(io.spanline.avro.AssembledTrace.class),
            io.spanline.avro.AssembledTrace.newBuilder(avro).setSpans(spans).build());

    assertThatThrownBy(() -> AvroRecordCodec.ASSEMBLED_TRACE.decode(bad))
        .isInstanceOf(MalformedAvroException.class)
        .hasMessageContaining("resourceIndex 2");
    assertThatThrownBy(() -> AvroTraceView.of(bad, 0, bad.length))
        .isInstanceOf(MalformedAvroException.class)
        .hasMessageContaining("resourceIndex 2");
  }

  private static void assertSameView(TraceView view, AssembledTrace trace) {
    TraceView model = TraceView.of(trace);
    assertThat(view.spanCount()).isEqualTo(model.spanCount());
    for (int i = 0; i < view.spanCount(); i++) {
      assertThat(view.serviceName(i)).isEqualTo(model.serviceName(i));
    }
    assertThat(view.anyAttribute("service.name", v -> v.toString().contains("payments")))
        .isEqualTo(model.anyAttribute("service.name", v -> v.toString().contains("payments")));
  }

  /** The same record with every span carrying its resource itself (index -1, no table). */
  private static byte[] inline(byte[] once) throws IOException {
    io.spanline.avro.AssembledTrace avro = specific(once);
    List<io.spanline.avro.Span> spans = new ArrayList<>();
    for (io.spanline.avro.Span span : avro.getSpans()) {
      spans.add(
          io.spanline.avro.Span.newBuilder(span)
              .setResource(avro.getResources().get(span.getResourceIndex()))
              .setResourceIndex(-1)
              .build());
    }
    return write(
        new SpecificDatumWriter<>(io.spanline.avro.AssembledTrace.class),
        io.spanline.avro.AssembledTrace.newBuilder(avro)
            .setResources(List.of())
            .setSpans(spans)
            .build());
  }

  private static io.spanline.avro.AssembledTrace specific(byte[] bytes) throws IOException {
    return new org.apache.avro.specific.SpecificDatumReader<>(io.spanline.avro.AssembledTrace.class)
        .read(null, DecoderFactory.get().binaryDecoder(bytes, null));
  }

  private static <T> byte[] write(org.apache.avro.io.DatumWriter<T> writer, T record)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    writer.write(record, encoder);
    encoder.flush();
    return out.toByteArray();
  }

  private static Schema history(String version, String name) throws IOException {
    try (InputStream in =
        ResourcesOncePerTraceTest.class.getResourceAsStream(
            "/avro-history/" + version + "/" + name + ".avsc")) {
      return new Schema.Parser().parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }
}
