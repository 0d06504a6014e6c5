package io.spanline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.gateway.testing.GatewayFixture;
import io.spanline.gateway.testing.OtlpHttp;
import io.spanline.gateway.testing.TestRequests;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.schemas.codec.otlp.OtlpJsonCodec;
import io.spanline.schemas.codec.otlp.OtlpProtoCodec;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.TraceId;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Bad requests get a clear 4xx and lose nothing else: the gateway keeps serving and valid spans in
 * the same request still land.
 */
@ExtendWith(LocalInfraExtension.class)
class BadInputIT {
  private static final String PROTOBUF = "application/x-protobuf";
  private static GatewayFixture fixture;

  @BeforeAll
  static void start(LocalKafka kafka) throws Exception {
    fixture = GatewayFixture.start(kafka, 1, Map.of(), Map.of());
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  @AfterEach
  void stillServesValidRequests() throws Exception {
    HttpResponse<byte[]> ok =
        OtlpHttp.post(
            fixture.httpEndpoint(), PROTOBUF, TestRequests.protobuf(TestRequests.spans(1, 2)));
    assertThat(ok.statusCode()).isEqualTo(200);
  }

  private static String text(HttpResponse<byte[]> response) {
    return new String(response.body(), StandardCharsets.UTF_8);
  }

  @Test
  void malformedProtobufIsA400() throws Exception {
    HttpResponse<byte[]> response =
        OtlpHttp.post(fixture.httpEndpoint(), PROTOBUF, new byte[] {10, 100, 1, 2, 3});

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(text(response)).contains("not a valid TracesData");
  }

  @Test
  void malformedJsonIsA400NamingWhere() throws Exception {
    HttpResponse<byte[]> response =
        OtlpHttp.post(
            fixture.httpEndpoint(),
            "application/json",
            "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"startTimeUnixNano\":\"soon\"}]}]}]}"
                .getBytes(StandardCharsets.UTF_8));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(text(response)).contains("startTimeUnixNano").contains("\"code\":3");
  }

  @Test
  void wrongContentTypeIsA415() throws Exception {
    HttpResponse<byte[]> response =
        OtlpHttp.post(
            fixture.httpEndpoint(), "text/plain", "hello".getBytes(StandardCharsets.UTF_8));

    assertThat(response.statusCode()).isEqualTo(415);
    assertThat(text(response)).contains("application/x-protobuf or application/json");
  }

  @Test
  void emptyBodyIsA400() throws Exception {
    HttpResponse<byte[]> response = OtlpHttp.post(fixture.httpEndpoint(), PROTOBUF, new byte[0]);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(text(response)).contains("empty request body");
  }

  @Test
  void gzipBombIsA413() throws Exception {
    // 256 MiB of zeros compresses to ~250 KB; the default request limit is 16 MiB
    ByteArrayOutputStream bomb = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bomb)) {
      byte[] zeros = new byte[1 << 20];
      for (int i = 0; i < 256; i++) {
        gz.write(zeros);
      }
    }

    HttpResponse<byte[]> response =
        OtlpHttp.post(
            fixture.httpEndpoint(), PROTOBUF, bomb.toByteArray(), "Content-Encoding", "gzip");

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(text(response)).contains("inflates beyond the request limit");
  }

  @Test
  void gzippedRequestIsAccepted() throws Exception {
    List<Span> spans = TestRequests.spans(2, 3);

    HttpResponse<byte[]> response =
        OtlpHttp.post(
            fixture.httpEndpoint(),
            PROTOBUF,
            OtlpHttp.gzip(TestRequests.protobuf(spans)),
            "Content-Encoding",
            "gzip");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(writtenSpanIds()).containsAll(spans.stream().map(s -> s.spanId().toHex()).toList());
  }

  @Test
  void allZeroIdsAreRejectedInPartialSuccess_whileTheValidSpanLands() throws Exception {
    Span valid = TestRequests.spans(1, 1).get(0);
    String json =
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":["
            + "{\"traceId\":\""
            + valid.traceId().toHex()
            + "\",\"spanId\":\""
            + valid.spanId().toHex()
            + "\",\"name\":\"valid\",\"startTimeUnixNano\":\""
            + valid.startEpochNanos()
            + "\",\"endTimeUnixNano\":\""
            + valid.endEpochNanos()
            + "\"},"
            + "{\"traceId\":\"00000000000000000000000000000000\",\"spanId\":\"1111111111111111\"},"
            + "{\"traceId\":\""
            + valid.traceId().toHex()
            + "\",\"spanId\":\"0000000000000000\"},"
            + "{\"traceId\":\""
            + valid.traceId().toHex()
            + "\",\"spanId\":\"2222222222222222\",\"startTimeUnixNano\":\"9\",\"endTimeUnixNano\":\"3\"}"
            + "]}]}]}";
    byte[] protobuf = OtlpJsonCodec.toProtobuf(json.getBytes(StandardCharsets.UTF_8));

    HttpResponse<byte[]> asProtobuf = OtlpHttp.post(fixture.httpEndpoint(), PROTOBUF, protobuf);
    HttpResponse<byte[]> asJson =
        OtlpHttp.post(
            fixture.httpEndpoint(), "application/json", json.getBytes(StandardCharsets.UTF_8));

    assertThat(asProtobuf.statusCode()).isEqualTo(200);
    var partial =
        io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse.parseFrom(
                asProtobuf.body())
            .getPartialSuccess();
    assertThat(partial.getRejectedSpans()).isEqualTo(3);
    assertThat(partial.getErrorMessage())
        .contains("invalid_trace_id: 1")
        .contains("invalid_span_id: 1")
        .contains("end_before_start: 1");
    assertThat(asJson.statusCode()).isEqualTo(200);
    assertThat(text(asJson)).contains("\"rejectedSpans\":\"3\"");
    assertThat(writtenSpanIds())
        .contains(valid.spanId().toHex())
        .doesNotContain("2222222222222222");
  }

  @Test
  void spansStartingFarFromNow_areRejectedAsPartialSuccess_andTheOthersLand() throws Exception {
    // Given a request whose spans claim start times spread over 1,000 days, and one from now
    TraceId trace = TestRequests.newTraceId();
    long day = 86_400_000_000_000L;
    long now = System.currentTimeMillis() * 1_000_000L;
    List<Span> spans = new ArrayList<>();
    for (int i = 0; i < 1_000; i += 10) {
      long start = now - 500 * day + i * day;
      spans.add(TestRequests.span(trace, 1, 5).toBuilder().time(start, start + 1_000).build());
    }
    Span current = TestRequests.span(trace, 1, 5);
    spans.add(current);
    Span beyondTheHour = TestRequests.span(trace, 1, 5);
    long soon = now + 2 * 3_600_000_000_000L;
    spans.add(beyondTheHour.toBuilder().time(soon, soon + 1_000).build());

    // When it is sent
    HttpResponse<byte[]> response =
        OtlpHttp.post(fixture.httpEndpoint(), PROTOBUF, TestRequests.protobuf(spans));

    // Then the spans outside [now - 7 d, now + 1 h] are rejected and counted, the others land
    assertThat(response.statusCode()).isEqualTo(200);
    var partial =
        io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse.parseFrom(
                response.body())
            .getPartialSuccess();
    long outside =
        spans.stream()
            .filter(
                s -> s.startEpochNanos() < now - 7 * day || s.startEpochNanos() > now + day / 24)
            .count();
    assertThat(outside).isEqualTo(spans.size() - 2);
    assertThat(partial.getRejectedSpans()).isEqualTo(outside);
    assertThat(partial.getErrorMessage()).contains("start_time_out_of_range: " + outside);
    List<String> written =
        fixture.readAll().stream()
            .filter(r -> r.key().equals(trace.toHex()))
            .flatMap(r -> OtlpProtoCodec.decode(r.value()).stream())
            .map(s -> s.spanId().toHex())
            .toList();
    assertThat(written).hasSize(2).contains(current.spanId().toHex());
  }

  @Test
  void tenMegabyteBatchIsSplitIntoRecordsUnderTheLimit() throws Exception {
    // one trace of 2 500 spans carrying 4 KB each: ~10 MB, ten times the 1 MB record limit
    TraceId trace = TestRequests.newTraceId();
    List<Span> spans = new ArrayList<>();
    for (int i = 0; i < 2_500; i++) {
      spans.add(TestRequests.span(trace, 1, 4_000));
    }
    byte[] body = TestRequests.protobuf(spans);
    assertThat(body.length).isGreaterThan(10_000_000);

    HttpResponse<byte[]> response = OtlpHttp.post(fixture.httpEndpoint(), PROTOBUF, body);

    assertThat(response.statusCode()).isEqualTo(200);
    List<GatewayFixture.Written> records =
        fixture.readAll().stream().filter(r -> r.key().equals(trace.toHex())).toList();
    assertThat(records.size()).isGreaterThanOrEqualTo(10);
    assertThat(records).allMatch(r -> r.value().length <= 1_000_000);
    assertThat(records.stream().mapToInt(r -> OtlpProtoCodec.decode(r.value()).size()).sum())
        .isEqualTo(2_500);
  }

  @Test
  void spanWithAHundredThousandAttributesIsKeptWithinTheLimit() throws Exception {
    Span huge = TestRequests.span(TestRequests.newTraceId(), 100_000, 8);

    HttpResponse<byte[]> response =
        OtlpHttp.post(fixture.httpEndpoint(), PROTOBUF, TestRequests.protobuf(List.of(huge)));

    assertThat(response.statusCode()).isEqualTo(200);
    Span written =
        fixture.readAll().stream()
            .filter(r -> r.key().equals(huge.traceId().toHex()))
            .flatMap(r -> OtlpProtoCodec.decode(r.value()).stream())
            .findFirst()
            .orElseThrow();
    assertThat(written.attributes()).hasSize(128);
    assertThat(written.droppedAttributesCount()).isEqualTo(100_000 - 128);
  }

  private static List<String> writtenSpanIds() {
    return fixture.readAll().stream()
        .flatMap(r -> OtlpProtoCodec.decode(r.value()).stream())
        .map(s -> s.spanId().toHex())
        .toList();
  }
}
