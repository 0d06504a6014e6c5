package io.spanline.gateway.http;

import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.spanline.gateway.config.GatewayConfig;
import io.spanline.gateway.ingest.IngestOutcome;
import io.spanline.gateway.ingest.IngestOutcome.Reason;
import io.spanline.gateway.ingest.TraceIngestor;
import io.spanline.gateway.ingest.TraceIngestor.Encoding;
import io.spanline.schemas.codec.otlp.OtlpExportResponses;
import io.spanline.service.tenancy.TenantResolver;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * OTLP/HTTP {@code POST /v1/traces} (OTLP specification, "OTLP/HTTP"): bodies in {@code
 * application/x-protobuf} or {@code application/json}, optionally {@code Content-Encoding: gzip};
 * answers in the request's encoding with an {@code ExportTraceServiceResponse} (partial success
 * when spans were rejected) or, on failure, a {@code google.rpc.Status} with 400, 401, 413, 415, or
 * the retryable 429 and 503 with {@code Retry-After}.
 */
public final class OtlpHttpService implements HttpService {
  private static final MediaType PROTOBUF = MediaType.parse("application/x-protobuf");

  private final TraceIngestor ingestor;
  private final TenantResolver tenants;
  private final GatewayConfig config;
  private final MeterRegistry metrics;

  public OtlpHttpService(
      TraceIngestor ingestor, TenantResolver tenants, GatewayConfig config, MeterRegistry metrics) {
    this.ingestor = ingestor;
    this.tenants = tenants;
    this.config = config;
    this.metrics = metrics;
  }

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
    long started = System.nanoTime();
    if (req.method() != HttpMethod.POST) {
      return HttpResponse.of(HttpStatus.METHOD_NOT_ALLOWED);
    }
    MediaType contentType = req.contentType();
    Encoding encoding;
    if (contentType != null && contentType.is(MediaType.JSON)) {
      encoding = Encoding.JSON;
    } else if (contentType != null && contentType.is(PROTOBUF)) {
      encoding = Encoding.PROTOBUF;
    } else {
      return error(
          Encoding.PROTOBUF,
          new IngestOutcome.Refused(
              Reason.UNSUPPORTED_MEDIA_TYPE,
              "Content-Type must be application/x-protobuf or application/json, was "
                  + (contentType == null ? "none" : contentType)),
          started);
    }
    TenantResolver.Resolution tenant = tenants.resolve(name -> req.headers().get(name));
    if (tenant.tenant().isEmpty()) {
      Reason reason = config.authEnabled() ? Reason.UNAUTHENTICATED : Reason.MALFORMED;
      return error(encoding, new IngestOutcome.Refused(reason, tenant.problem()), started);
    }
    String tenantId = tenant.tenant().get();
    String contentEncoding = req.headers().get(HttpHeaderNames.CONTENT_ENCODING);
    String debugHeader = req.headers().get(TraceIngestor.DEBUG_HEADER);
    CompletableFuture<HttpResponse> response =
        req.aggregate()
            .thenApplyAsync(
                (AggregatedHttpRequest agg) -> {
                  byte[] body;
                  try {
                    body =
                        decompress(
                            agg, contentEncoding, config.limitsFor(tenantId).maxRequestBytes());
                  } catch (Refusal r) {
                    return CompletableFuture.completedFuture((IngestOutcome) r.outcome);
                  }
                  if (body.length == 0) {
                    return CompletableFuture.completedFuture(
                        (IngestOutcome)
                            new IngestOutcome.Refused(Reason.MALFORMED, "empty request body"));
                  }
                  return ingestor.ingest(tenantId, body, encoding, debugHeader);
                },
                ctx.blockingTaskExecutor())
            .thenCompose(f -> f)
            .thenApply(outcome -> respond(encoding, outcome, started));
    return HttpResponse.of(response);
  }

  private HttpResponse respond(Encoding encoding, IngestOutcome outcome, long started) {
    if (outcome instanceof IngestOutcome.Accepted a) {
      record(started, "accepted");
      byte[] body =
          encoding == Encoding.JSON
              ? OtlpExportResponses.json(a.rejectedSpans(), a.message())
              : OtlpExportResponses.protobuf(a.rejectedSpans(), a.message());
      return HttpResponse.of(
          HttpStatus.OK, encoding == Encoding.JSON ? MediaType.JSON : PROTOBUF, body);
    }
    return error(encoding, (IngestOutcome.Refused) outcome, started);
  }

  private HttpResponse error(Encoding encoding, IngestOutcome.Refused refused, long started) {
    record(started, refused.reason().name().toLowerCase(Locale.ROOT));
    HttpStatus status =
        switch (refused.reason()) {
          case MALFORMED -> HttpStatus.BAD_REQUEST;
          case TOO_LARGE -> HttpStatus.REQUEST_ENTITY_TOO_LARGE;
          case UNSUPPORTED_MEDIA_TYPE -> HttpStatus.UNSUPPORTED_MEDIA_TYPE;
          case UNAUTHENTICATED -> HttpStatus.UNAUTHORIZED;
          case RATE_LIMITED -> HttpStatus.TOO_MANY_REQUESTS;
          case UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
        };
    int grpcCode = GrpcCodes.of(refused.reason());
    byte[] body =
        encoding == Encoding.JSON
            ? OtlpExportResponses.statusJson(grpcCode, refused.message())
            : OtlpExportResponses.statusProtobuf(grpcCode, refused.message());
    var headers =
        ResponseHeaders.builder(status)
            .contentType(encoding == Encoding.JSON ? MediaType.JSON : PROTOBUF);
    if (refused.reason() == Reason.RATE_LIMITED || refused.reason() == Reason.UNAVAILABLE) {
      headers.add(HttpHeaderNames.RETRY_AFTER, Long.toString(ingestor.retryAfter().toSeconds()));
    }
    return HttpResponse.of(headers.build(), com.linecorp.armeria.common.HttpData.wrap(body));
  }

  private void record(long started, String outcome) {
    Timer.builder("spanline.gateway.request.duration")
        .description("OTLP export requests, from arrival to answer")
        .tag("protocol", "http")
        .tag("outcome", outcome)
        .publishPercentiles(0.5, 0.99)
        .register(metrics)
        .record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  /** A refusal found while reading the body. */
  private static final class Refusal extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient IngestOutcome.Refused outcome;

    Refusal(Reason reason, String message) {
      super(message, null, false, false);
      this.outcome = new IngestOutcome.Refused(reason, message);
    }
  }

  /** The body, gunzipped when sent with gzip, never longer than {@code maxBytes}. */
  static byte[] decompress(AggregatedHttpRequest req, String contentEncoding, long maxBytes) {
    byte[] raw = req.content().array();
    if (contentEncoding == null || contentEncoding.equalsIgnoreCase("identity")) {
      return raw;
    }
    if (!contentEncoding.equalsIgnoreCase("gzip")) {
      throw new Refusal(
          Reason.UNSUPPORTED_MEDIA_TYPE,
          "Content-Encoding " + contentEncoding + " is not supported; use gzip");
    }
    try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(raw))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(1024, raw.length * 4));
      byte[] buffer = new byte[64 * 1024];
      long total = 0;
      int n;
      while ((n = in.read(buffer)) > 0) {
        total += n;
        if (total > maxBytes) {
          throw new Refusal(
              Reason.TOO_LARGE,
              "gzip body inflates beyond the request limit of " + maxBytes + " bytes");
        }
        out.write(buffer, 0, n);
      }
      return out.toByteArray();
    } catch (ZipException e) {
      throw new Refusal(Reason.MALFORMED, "body is not valid gzip: " + e.getMessage());
    } catch (IOException e) {
      throw new Refusal(Reason.MALFORMED, "body cannot be gunzipped: " + e.getMessage());
    }
  }
}
