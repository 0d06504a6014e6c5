package io.spanline.schemas.codec.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OtlpExportResponsesTest {

  @Test
  void fullSuccessIsAnEmptyResponse() throws Exception {
    assertThat(OtlpExportResponses.protobuf(0, "")).isEmpty();
    assertThat(new String(OtlpExportResponses.json(0, ""), StandardCharsets.UTF_8)).isEqualTo("{}");
  }

  @Test
  void partialSuccessCarriesTheRejectedCountAndMessage() throws Exception {
    ExportTraceServiceResponse proto =
        ExportTraceServiceResponse.parseFrom(
            OtlpExportResponses.protobuf(3, "3 spans had bad IDs"));
    ExportTraceServiceResponse.Builder fromJson = ExportTraceServiceResponse.newBuilder();
    JsonFormat.parser()
        .merge(
            new String(OtlpExportResponses.json(3, "3 spans had bad IDs"), StandardCharsets.UTF_8),
            fromJson);

    assertThat(proto.getPartialSuccess().getRejectedSpans()).isEqualTo(3);
    assertThat(proto.getPartialSuccess().getErrorMessage()).isEqualTo("3 spans had bad IDs");
    assertThat(fromJson.build()).isEqualTo(proto);
  }
}
