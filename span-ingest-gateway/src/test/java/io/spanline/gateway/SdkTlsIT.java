package io.spanline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporterBuilder;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.spanline.gateway.testing.GatewayFixture;
import io.spanline.localinfra.Probe;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.localinfra.tls.TestCertificateAuthority;
import io.spanline.schemas.codec.otlp.OtlpProtoCodec;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real OpenTelemetry SDK exporters send over TLS to both OTLP ports, trusting a test CA; with
 * {@code tls.client-auth=require} only clients with a certificate of the configured CA get in; a
 * renewed certificate is served to new connections without a restart.
 */
@ExtendWith(LocalInfraExtension.class)
class SdkTlsIT {
  @TempDir static Path dir;
  static TestCertificateAuthority ca;
  static TestCertificateAuthority.Issued client;
  static TestCertificateAuthority.Issued stranger;
  static Path cert;
  static Path key;
  static GatewayFixture tls;
  static GatewayFixture mtls;

  @BeforeAll
  static void start(LocalKafka kafka) throws Exception {
    ca = TestCertificateAuthority.create("Spanline test CA");
    cert = dir.resolve("tls.crt");
    key = dir.resolve("tls.key");
    ca.issueServer("gateway-first").writePem(cert, key);
    Path caFile = ca.writeCertificatePem(dir.resolve("ca.crt"));
    client = ca.issueClient("instrumented-service");
    stranger = TestCertificateAuthority.create("Another CA").issueClient("stranger");

    tls =
        GatewayFixture.start(
            kafka,
            1,
            Map.of(
                "tls.enabled",
                "true",
                "tls.certificate.file",
                cert.toString(),
                "tls.key.file",
                key.toString(),
                "tls.reload.interval.ms",
                "100"),
            Map.of());
    mtls =
        GatewayFixture.start(
            kafka,
            1,
            Map.of(
                "tls.enabled", "true",
                "tls.certificate.file", cert.toString(),
                "tls.key.file", key.toString(),
                "tls.client-auth", "require",
                "tls.client-ca.file", caFile.toString()),
            Map.of());
  }

  @AfterAll
  static void stop() {
    tls.close();
    mtls.close();
  }

  @Test
  void sdkExportersSendOverTls_grpcAndHttpProtobuf() {
    // Given spans and exporters that trust the test CA only
    List<SpanData> viaGrpc = spans("grpc-service", 4);
    List<SpanData> viaHttp = spans("http-service", 3);

    // When they export to both OTLP ports over TLS
    try (SpanExporter grpc = grpc(tls, null).build();
        SpanExporter http = http(tls, null).build()) {
      assertThat(export(grpc, viaGrpc).isSuccess()).as("gRPC over TLS").isTrue();
      assertThat(export(http, viaHttp).isSuccess()).as("HTTP/protobuf over TLS").isTrue();
    }

    // Then every span is in the topic
    assertThat(spanNames(tls)).containsAll(names(viaGrpc)).containsAll(names(viaHttp));
  }

  @Test
  void withClientAuthRequired_aClientCertificateOfTheCaGetsIn() {
    List<SpanData> viaGrpc = spans("mtls-grpc", 2);
    List<SpanData> viaHttp = spans("mtls-http", 2);

    try (SpanExporter grpc = grpc(mtls, client).build();
        SpanExporter http = http(mtls, client).build()) {
      assertThat(export(grpc, viaGrpc).isSuccess()).as("gRPC with a client certificate").isTrue();
      assertThat(export(http, viaHttp).isSuccess()).as("HTTP with a client certificate").isTrue();
    }

    assertThat(spanNames(mtls)).containsAll(names(viaGrpc)).containsAll(names(viaHttp));
  }

  @Test
  void withClientAuthRequired_clientsWithoutOrWithAForeignCertificateAreRefused() {
    List<SpanData> spans = spans("refused", 1);

    try (SpanExporter grpc = grpc(mtls, null).setRetryPolicy(null).build();
        SpanExporter http = http(mtls, null).setRetryPolicy(null).build();
        SpanExporter foreignGrpc = grpc(mtls, stranger).setRetryPolicy(null).build();
        SpanExporter foreignHttp = http(mtls, stranger).setRetryPolicy(null).build()) {
      assertThat(export(grpc, spans).isSuccess()).as("gRPC without a certificate").isFalse();
      assertThat(export(http, spans).isSuccess()).as("HTTP without a certificate").isFalse();
      assertThat(export(foreignGrpc, spans).isSuccess()).as("gRPC, foreign CA").isFalse();
      assertThat(export(foreignHttp, spans).isSuccess()).as("HTTP, foreign CA").isFalse();
    }
  }

  @Test
  void aRenewedCertificateIsServedOnBothPorts_andExportsGoOn() throws Exception {
    // When the certificate files are replaced while the gateway runs
    TestCertificateAuthority.Issued renewed = ca.issueServer("gateway-renewed");
    renewed.writePem(cert, key);

    // Then new connections to both ports get the renewed certificate
    BigInteger serial = renewed.certificate().getSerialNumber();
    for (int port : new int[] {tls.gateway.grpcPort(), tls.gateway.httpPort()}) {
      Probe.until(
          "the renewed certificate on port " + port,
          Duration.ofSeconds(10),
          Duration.ofMillis(50),
          () -> ca.serverCertificate(port).getSerialNumber().equals(serial));
    }
    // and a new exporter still gets through
    try (SpanExporter grpc = grpc(tls, null).build()) {
      assertThat(export(grpc, spans("after-renewal", 1)).isSuccess()).isTrue();
    }
  }

  private static OtlpGrpcSpanExporterBuilder grpc(
      GatewayFixture f, TestCertificateAuthority.Issued clientCertificate) {
    OtlpGrpcSpanExporterBuilder b =
        OtlpGrpcSpanExporter.builder()
            .setEndpoint("https://127.0.0.1:" + f.gateway.grpcPort())
            .setTimeout(Duration.ofSeconds(10))
            .setTrustedCertificates(ca.certificatePem().getBytes(StandardCharsets.US_ASCII));
    if (clientCertificate != null) {
      b.setClientTls(
          clientCertificate.privateKeyPem().getBytes(StandardCharsets.US_ASCII),
          clientCertificate.certificatePem().getBytes(StandardCharsets.US_ASCII));
    }
    return b;
  }

  private static OtlpHttpSpanExporterBuilder http(
      GatewayFixture f, TestCertificateAuthority.Issued clientCertificate) {
    OtlpHttpSpanExporterBuilder b =
        OtlpHttpSpanExporter.builder()
            .setEndpoint("https://127.0.0.1:" + f.gateway.httpPort() + "/v1/traces")
            .setTimeout(Duration.ofSeconds(10))
            .setTrustedCertificates(ca.certificatePem().getBytes(StandardCharsets.US_ASCII));
    if (clientCertificate != null) {
      b.setClientTls(
          clientCertificate.privateKeyPem().getBytes(StandardCharsets.US_ASCII),
          clientCertificate.certificatePem().getBytes(StandardCharsets.US_ASCII));
    }
    return b;
  }

  private static CompletableResultCode export(SpanExporter exporter, List<SpanData> spans) {
    return exporter.export(spans).join(30, TimeUnit.SECONDS);
  }

  /** {@code count} finished single-span traces of {@code service}. */
  private static List<SpanData> spans(String service, int count) {
    InMemorySpanExporter recorded = InMemorySpanExporter.create();
    SdkTracerProvider provider =
        SdkTracerProvider.builder()
            .setResource(Resource.getDefault().toBuilder().put("service.name", service).build())
            .addSpanProcessor(SimpleSpanProcessor.create(recorded))
            .build();
    for (int i = 0; i < count; i++) {
      Span span = provider.get("tls-test").spanBuilder(service + "-" + i).startSpan();
      span.end();
    }
    // read before closing: closing the provider shuts the in-memory exporter, which forgets
    List<SpanData> spans = recorded.getFinishedSpanItems();
    provider.close();
    assertThat(spans).hasSize(count);
    return spans;
  }

  private static List<String> names(List<SpanData> spans) {
    return spans.stream().map(SpanData::getName).toList();
  }

  /** The names of every span in the fixture's topic (each test sends names of its own). */
  private static List<String> spanNames(GatewayFixture f) {
    List<String> names = new ArrayList<>();
    for (GatewayFixture.Written r : f.readAll()) {
      OtlpProtoCodec.decode(r.value()).forEach(s -> names.add(s.name()));
    }
    return names;
  }
}
