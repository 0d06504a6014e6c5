package io.spanline.schemas.codec.avro;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The generated classes embed the record types they hold as they were when generated; the Avro
 * Maven plugin regenerates only the classes whose own {@code .avsc} changed. After a change to
 * {@code Span.avsc} or {@code AssembledTrace.avsc} without a clean build, {@code SampledTrace}
 * would still write the old layout (the sampling stream's output then fails to decode).
 */
class GeneratedSchemasTest {
  private static final String STALE =
      "generated Avro classes are stale: run ./mvnw clean on schemas after changing a .avsc";

  @Test
  void sampledTraceEmbedsTheCurrentAssembledTrace() {
    assertThat(io.spanline.avro.SampledTrace.getClassSchema().getField("trace").schema())
        .as(STALE)
        .isEqualTo(io.spanline.avro.AssembledTrace.getClassSchema());
    assertThat(io.spanline.avro.SampledTrace.getClassSchema().getField("decision").schema())
        .as(STALE)
        .isEqualTo(io.spanline.avro.SamplingDecision.getClassSchema());
  }

  @Test
  void assembledTraceEmbedsTheCurrentSpan() {
    assertThat(
            io.spanline.avro.AssembledTrace.getClassSchema()
                .getField("spans")
                .schema()
                .getElementType())
        .as(STALE)
        .isEqualTo(io.spanline.avro.Span.getClassSchema());
  }
}
