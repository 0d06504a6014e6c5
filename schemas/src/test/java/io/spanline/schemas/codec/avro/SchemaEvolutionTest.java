package io.spanline.schemas.codec.avro;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.schemas.testing.AvroEvolutionRule;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
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

  private static Schema history(String version, String name) throws IOException {
    String path = "/avro-history/" + version + "/" + name + ".avsc";
    try (InputStream in = SchemaEvolutionTest.class.getResourceAsStream(path)) {
      assertThat(in).as("committed schema %s", path).isNotNull();
      return new Schema.Parser().parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }
}
