package io.spanline.storage.archive.internal.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.testing.TraceBuilder;
import io.spanline.storage.archive.testing.ArchiveFixtures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpanRowsTest {
  @TempDir Path dir;

  private final AssembledTrace trace =
      TraceBuilder.trace()
          .tenant("acme")
          .root("frontend", "GET /checkout", 120)
          .resourceAttr("deployment.environment.name", "prod")
          .child("checkout", "POST /orders", 80)
          .attr("http.response.status_code", 201)
          .error()
          .build();

  @Test
  void oneRowPerSpan_withTraceLevelColumnsBeside() {
    List<GenericRecord> rows = SpanRows.of(ArchiveFixtures.kept(trace, "errors", "slow"));

    assertThat(rows).hasSize(2);
    GenericRecord child = rows.get(1);
    assertThat(child.get("trace_id")).isEqualTo(trace.traceId().toHex());
    assertThat(child.get("parent_span_id")).isEqualTo(trace.spans().get(0).spanId().toHex());
    assertThat(rows.get(0).get("parent_span_id")).isNull();
    assertThat(child.get("service_name")).isEqualTo("checkout");
    assertThat(child.get("status_code")).isEqualTo("ERROR");
    assertThat(child.get("duration_nanos")).isEqualTo(80_000_000L);
    assertThat(child.get("start_time")).isEqualTo(trace.spans().get(1).startEpochNanos() / 1000);
    assertThat(child.get("attributes")).isEqualTo(Map.of("http.response.status_code", "201"));
    assertThat(rows.get(0).get("resource_attributes"))
        .isEqualTo(Map.of("service.name", "frontend", "deployment.environment.name", "prod"));
    assertThat(child.get("root_service_name")).isEqualTo("frontend");
    assertThat(child.get("trace_duration_nanos")).isEqualTo(120_000_000L);
    assertThat(child.get("trace_error")).isEqualTo(true);
    assertThat(child.get("sampling_policy")).isEqualTo("errors,slow");
    assertThat(child.get("adjusted_count")).isEqualTo(4.0);
    assertThat(SpanRows.span(child)).isEqualTo(trace.spans().get(1));
  }

  @Test
  void writtenParquetReadsBackInOrder() throws Exception {
    List<GenericRecord> rows = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      rows.addAll(
          SpanRows.of(
              ArchiveFixtures.kept(
                  TraceBuilder.trace().root("a", "op", 5).child("b", "c", 1).build(), "p")));
    }
    rows.sort(SpanRows.ORDER);
    Path file = dir.resolve("f.parquet");

    long size = new ParquetTraceWriter(1 << 20, 8 << 10).write(rows, 50, file);

    assertThat(size).isPositive();
    List<GenericRecord> read = ArchiveFixtures.rows(file);
    assertThat(read).hasSize(100).isSortedAccordingTo(SpanRows.ORDER);
    assertThat(read.stream().map(SpanRows::span).toList())
        .containsExactlyElementsOf(rows.stream().map(SpanRows::span).toList());
  }
}
