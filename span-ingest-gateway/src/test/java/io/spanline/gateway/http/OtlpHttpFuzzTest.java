package io.spanline.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.spanline.gateway.testing.FuzzingGateway;
import io.spanline.gateway.testing.OtlpHttp;
import io.spanline.localinfra.RawHttp;
import io.spanline.localinfra.RawHttp.Header;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Coverage-guided fuzzing of the running gateway's OTLP/HTTP endpoint: fuzzed {@code POST
 * /v1/traces} requests, sent over a socket as raw HTTP/1.1, to a real gateway writing to a real
 * Kafka broker (both started once per JVM), must be answered 2xx or 4xx, never 5xx and never
 * without an answer. With Kafka running, a 503 is a finding too.
 *
 * <p>Input layout (seeds are readable with it; docs/fuzzing.md): byte 0 chooses the request's shape
 * — bits 0–2 the {@code Content-Type} ({@link #CONTENT_TYPES}, 7 = fuzzed), bits 3–4 the {@code
 * Content-Encoding} (0 none, 1 the body gzipped by the test, 2 {@code gzip} over the raw body, 3
 * {@code deflate}), bits 5–7 the tenant header ({@link #TENANTS}, 3 = fuzzed). When a header is
 * fuzzed, byte 1 is its length n and the next n bytes its value (CR and LF made spaces, so they
 * cannot end the header). The rest is the body.
 *
 * <p>The gateway, its configuration and its broker: {@link FuzzingGateway}.
 */
class OtlpHttpFuzzTest {
  static final String[] CONTENT_TYPES = {
    "application/x-protobuf",
    "application/json",
    "application/json; charset=utf-8",
    "APPLICATION/X-PROTOBUF; proto=opentelemetry.proto.collector.trace.v1",
    "text/plain",
    null,
    "application/grpc",
  };
  static final String[] TENANTS = {
    null, "acme", "small", null, "", "x".repeat(65), "a.b_c-9", null
  };
  private static final int FUZZED = 7;
  private static final int FUZZED_TENANT = 3;

  @FuzzTest
  void answersAnyExport_with2xxOr4xx(byte[] input) throws IOException {
    // Jazzer's SSRF detector reports every connection unless allowed (Jazzer resets this when
    // fuzzing starts): the test and the servers connect to 127.0.0.1 only; any other host would
    // still be reported.
    BugDetectors.allowNetworkConnections(
        (host, port) -> host.equals("localhost") || host.equals("127.0.0.1"));
    if (input.length == 0) {
      return;
    }
    int shape = input[0] & 0xff;
    int contentType = shape & 7;
    int encoding = (shape >> 3) & 3;
    int tenant = shape >> 5;
    int pos = 1;
    byte[] fuzzedHeader = new byte[0];
    if (contentType == FUZZED || tenant == FUZZED_TENANT) {
      int n = input.length > 1 ? Math.min(input[1] & 0xff, input.length - 2) : 0;
      fuzzedHeader = Arrays.copyOfRange(input, Math.min(2, input.length), 2 + n);
      for (int i = 0; i < fuzzedHeader.length; i++) {
        if (fuzzedHeader[i] == '\r' || fuzzedHeader[i] == '\n') {
          fuzzedHeader[i] = ' ';
        }
      }
      pos = Math.min(input.length, 2 + n);
    }
    byte[] body = Arrays.copyOfRange(input, pos, input.length);

    List<Header> headers = new ArrayList<>();
    if (contentType == FUZZED) {
      headers.add(new Header("Content-Type", fuzzedHeader));
    } else if (CONTENT_TYPES[contentType] != null) {
      headers.add(Header.of("Content-Type", CONTENT_TYPES[contentType]));
    }
    switch (encoding) {
      case 1 -> {
        body = OtlpHttp.gzip(body);
        headers.add(Header.of("Content-Encoding", "gzip"));
      }
      case 2 -> headers.add(Header.of("Content-Encoding", "gzip"));
      case 3 -> headers.add(Header.of("Content-Encoding", "deflate"));
      default -> {}
    }
    if (tenant == FUZZED_TENANT) {
      headers.add(new Header("X-Scope-OrgID", fuzzedHeader));
    } else if (TENANTS[tenant] != null) {
      headers.add(Header.of("X-Scope-OrgID", TENANTS[tenant]));
    }

    RawHttp.Answer answer =
        RawHttp.send(
            FuzzingGateway.GATEWAY.gateway.httpPort(),
            "POST",
            "/v1/traces".getBytes(StandardCharsets.US_ASCII),
            headers,
            body,
            Duration.ofSeconds(60));

    assertThat(answer.status())
        .as(
            "answer to POST /v1/traces with %s and %d body bytes:%n%s",
            headers, body.length, answer.text(600))
        .isBetween(200, 499);
  }
}
