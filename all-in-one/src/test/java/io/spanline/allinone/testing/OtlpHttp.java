package io.spanline.allinone.testing;

import io.spanline.schemas.codec.otlp.OtlpProtoCodec;
import io.spanline.schemas.model.Span;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * The all-in-one tests' HTTP client: OTLP/HTTP protobuf exports to the gateway, as an SDK's
 * exporter sends them, and plain GETs of admin endpoints ({@code /metrics}, {@code /readyz}).
 * HTTP/1.1, as the SDKs speak it: the JDK client's h2c upgrade misread a large {@code /metrics}
 * answer once.
 */
public final class OtlpHttp {
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private OtlpHttp() {}

  /**
   * Posts {@code spans} as one OTLP/HTTP protobuf export request of {@code tenant} ({@code
   * X-Scope-OrgID}).
   *
   * @return the HTTP status of the answer
   */
  public static int post(String endpoint, String tenant, List<Span> spans) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create(endpoint))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-protobuf")
                .header("X-Scope-OrgID", tenant)
                .POST(HttpRequest.BodyPublishers.ofByteArray(OtlpProtoCodec.encode(spans)))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  /** The body of a GET of {@code uri}, whatever its status. */
  public static String get(String uri) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }
}
