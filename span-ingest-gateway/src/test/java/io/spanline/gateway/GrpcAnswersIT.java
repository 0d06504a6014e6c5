package io.spanline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import io.spanline.gateway.testing.GatewayFixture;
import io.spanline.gateway.testing.TestRequests;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.kafka.LocalKafka;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * OTLP/gRPC answers, seen on the wire (HTTP/2 with gRPC framing, as any gRPC client sends it):
 * malformed requests get INVALID_ARGUMENT, a tenant over its rate RESOURCE_EXHAUSTED with a retry
 * delay, valid requests OK.
 */
@ExtendWith(LocalInfraExtension.class)
class GrpcAnswersIT {
  private static final String EXPORT =
      "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
  private static GatewayFixture fixture;
  private static WebClient client;

  @BeforeAll
  static void start(LocalKafka kafka) throws Exception {
    Path config = Files.createTempFile("gateway", ".yaml");
    Files.writeString(config, "tenants:\n  slow:\n    spans-per-second: 5\n");
    fixture =
        GatewayFixture.start(
            kafka, 1, Map.of(), Map.of("SPANLINE_GATEWAY_CONFIG_FILE", config.toString()));
    client = WebClient.of("h2c://127.0.0.1:" + fixture.gateway.grpcPort());
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  /** One unary gRPC call: 5-byte frame header (uncompressed, length) and the message. */
  private static AggregatedHttpResponse call(byte[] message, String tenant) {
    ByteBuffer frame = ByteBuffer.allocate(5 + message.length);
    frame.put((byte) 0).putInt(message.length).put(message);
    RequestHeaders headers =
        RequestHeaders.builder(HttpMethod.POST, EXPORT)
            .contentType(MediaType.parse("application/grpc+proto"))
            .add("te", "trailers")
            .add("x-scope-orgid", tenant)
            .build();
    return client.execute(headers, HttpData.wrap(frame.array())).aggregate().join();
  }

  private static String status(AggregatedHttpResponse response) {
    String inTrailers = response.trailers().get("grpc-status");
    return inTrailers != null ? inTrailers : response.headers().get("grpc-status");
  }

  @Test
  void validRequestIsOk() {
    AggregatedHttpResponse response =
        call(TestRequests.protobuf(TestRequests.spans(1, 3)), "default");

    assertThat(status(response)).isEqualTo("0");
  }

  @Test
  void malformedRequestIsInvalidArgument() {
    AggregatedHttpResponse response = call(new byte[] {10, 100, 1, 2, 3}, "default");

    assertThat(status(response)).isEqualTo("3");
  }

  /**
   * Found by OtlpGrpcFuzzTest: with Armeria's default serialization formats, application/grpc+json
   * reached the service's raw-bytes method and ended in UNKNOWN; OTLP/gRPC is protobuf only.
   */
  @Test
  void grpcJsonIsRefusedAsAnUnsupportedMediaType_notUnknown() {
    RequestHeaders headers =
        RequestHeaders.builder(HttpMethod.POST, EXPORT)
            .contentType(MediaType.parse("application/grpc+json"))
            .add("te", "trailers")
            .build();
    byte[] json = "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    ByteBuffer frame = ByteBuffer.allocate(5 + json.length);
    frame.put((byte) 0).putInt(json.length).put(json);

    AggregatedHttpResponse response =
        client.execute(headers, HttpData.wrap(frame.array())).aggregate().join();

    assertThat(response.status().code()).isEqualTo(415);
    assertThat(status(response)).isNotEqualTo("2");
  }

  @Test
  void tenantOverItsRateIsResourceExhaustedWithARetryDelay() throws Exception {
    byte[] tenSpans = TestRequests.protobuf(TestRequests.spans(1, 10));
    // the first request (2 s worth at 5 spans/s) passes on a full bucket and leaves it in debt
    assertThat(status(call(tenSpans, "slow"))).isEqualTo("0");

    AggregatedHttpResponse response = call(tenSpans, "slow");

    assertThat(status(response)).isEqualTo("8");
    String details =
        response.trailers().get("grpc-status-details-bin") != null
            ? response.trailers().get("grpc-status-details-bin")
            : response.headers().get("grpc-status-details-bin");
    assertThat(details).as("google.rpc.Status with RetryInfo").isNotBlank();
    com.google.rpc.Status status =
        com.google.rpc.Status.parseFrom(java.util.Base64.getDecoder().decode(padded(details)));
    assertThat(status.getCode()).isEqualTo(8);
    assertThat(status.getMessage()).isNotBlank();
    assertThat(status.getDetailsList()).hasSize(1);
    com.google.rpc.RetryInfo retry = status.getDetails(0).unpack(com.google.rpc.RetryInfo.class);
    assertThat(retry.getRetryDelay().getSeconds()).isPositive();
  }

  private static String padded(String base64) {
    return base64 + "===".substring(0, (4 - base64.length() % 4) % 4);
  }
}
