package io.spanline.schemas.codec.avro;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.registry.RestSchemaRegistryClient;
import io.spanline.schemas.testing.AvroEvolutionRule;
import io.spanline.schemas.testing.SmallRegistryServer;
import io.spanline.schemas.testing.TestSpans;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each schema in {@code src/main/avro} keeps to the evolution rule against every committed previous
 * version under {@code src/test/resources/avro-history/v<N>/}. When a schema changes, the version
 * before the change is committed there as the next {@code v<N>}.
 */
class SchemaEvolutionTest {
  private static final List<String> HISTORY = List.of("v1");

  static Stream<Arguments> previousVersions() {
    return HISTORY.stream()
        .flatMap(
            version ->
                Stream.of(
                        AvroRecordCodec.ASSEMBLED_TRACE,
                        AvroRecordCodec.SAMPLED_TRACE,
                        AvroRecordCodec.SAMPLING_DECISION)
                    .map(codec -> Arguments.of(version, codec)));
  }

  @ParameterizedTest(name = "{1} against {0}")
  @MethodSource("previousVersions")
  void currentSchemaKeepsTheRuleAgainstEachCommittedVersion(
      String version, AvroRecordCodec<?> codec) throws IOException {
    Schema previous = history(version, codec.name());

    assertThat(AvroEvolutionRule.violations(previous, codec.avroSchema())).isEmpty();
  }

  @Test
  void ruleCatchesAFieldAddedWithoutDefault_andOneRemoved() {
    Schema current = AvroRecordCodec.SAMPLING_DECISION.avroSchema();
    Schema withExtraField =
        new Schema.Parser()
            .parse(
                current
                    .toString()
                    .replace(
                        "\"fields\":[", "\"fields\":[{\"name\":\"region\",\"type\":\"string\"},"));

    assertThat(AvroEvolutionRule.violations(current, withExtraField))
        .contains("new field io.spanline.avro.SamplingDecision.region has no default")
        .anyMatch(v -> v.contains("backward"));
    assertThat(AvroEvolutionRule.violations(withExtraField, current))
        .contains("field io.spanline.avro.SamplingDecision.region was removed or renamed");
  }

  @Test
  void readsRecordsWrittenByAnOlderSchemaThatLackedAField() throws IOException {
    // Given an older AssembledTrace schema without missingParentSpanCount, registered and used
    Schema current = AvroRecordCodec.ASSEMBLED_TRACE.avroSchema();
    Schema older = withoutField(current, "missingParentSpanCount");
    List<Span> spans = new TestSpans(3).interleavedTraces(1, 3, 10);
    AssembledTrace trace = AssembledTrace.of("acme", spans.get(0).traceId(), 0, spans);
    GenericRecord asOlder = rewrite(AvroRecordCodec.ASSEMBLED_TRACE.encode(trace), current, older);

    try (SmallRegistryServer server = new SmallRegistryServer()) {
      RestSchemaRegistryClient registry =
          new RestSchemaRegistryClient(server.uri(), Duration.ofSeconds(5));
      int olderId = registry.register("spanline.traces.assembled-value", older.toString());
      byte[] framed = frame(olderId, asOlder, older);

      // When the current code reads it
      AssembledTrace read =
          new ConfluentAvroCodec<>(AvroRecordCodec.ASSEMBLED_TRACE, registry).deserialize(framed);

      // Then the missing field takes its default and everything else is intact
      assertThat(read.summary().missingParentSpanCount()).isZero();
      assertThat(read.spans()).isEqualTo(trace.spans());
      assertThat(read.summary().rootSpanName()).isEqualTo(trace.summary().rootSpanName());
    }
  }

  private static Schema history(String version, String name) throws IOException {
    String path = "/avro-history/" + version + "/" + name + ".avsc";
    try (InputStream in = SchemaEvolutionTest.class.getResourceAsStream(path)) {
      assertThat(in).as("committed schema %s", path).isNotNull();
      return new Schema.Parser().parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  private static Schema withoutField(Schema schema, String field) {
    List<Schema.Field> fields =
        schema.getFields().stream()
            .filter(f -> !f.name().equals(field))
            .map(f -> new Schema.Field(f, f.schema()))
            .toList();
    return Schema.createRecord(
        schema.getName(), schema.getDoc(), schema.getNamespace(), false, fields);
  }

  private static GenericRecord rewrite(byte[] avro, Schema writer, Schema reader)
      throws IOException {
    return new GenericDatumReader<GenericRecord>(writer, reader, GenericData.get())
        .read(null, DecoderFactory.get().binaryDecoder(avro, null));
  }

  private static byte[] frame(int schemaId, GenericRecord record, Schema schema)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(
        new byte[] {
          0,
          (byte) (schemaId >>> 24),
          (byte) (schemaId >>> 16),
          (byte) (schemaId >>> 8),
          (byte) schemaId
        });
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
    encoder.flush();
    return out.toByteArray();
  }
}
