package io.spanline.gateway.grpc;

import com.linecorp.armeria.server.ServiceRequestContext;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.spanline.gateway.config.GatewayConfig;
import io.spanline.gateway.http.GrpcCodes;
import io.spanline.gateway.ingest.IngestOutcome;
import io.spanline.gateway.ingest.IngestOutcome.Reason;
import io.spanline.gateway.ingest.TraceIngestor;
import io.spanline.gateway.ingest.TraceIngestor.Encoding;
import io.spanline.schemas.codec.otlp.OtlpExportResponses;
import io.spanline.service.tenancy.TenantResolver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * OTLP/gRPC {@code opentelemetry.proto.collector.trace.v1.TraceService/Export}. Requests and
 * responses pass as bytes (an {@code ExportTraceServiceRequest} has the wire shape of {@code
 * TracesData}), so the gateway never builds protobuf objects of its own here. Refusals use the
 * status codes the OTLP specification names: INVALID_ARGUMENT, UNAUTHENTICATED, and the retryable
 * RESOURCE_EXHAUSTED and UNAVAILABLE with a {@code google.rpc.RetryInfo} delay.
 */
public final class OtlpGrpcService {
  static final String SERVICE = "opentelemetry.proto.collector.trace.v1.TraceService";

  /** Where gRPC carries a {@code google.rpc.Status} with details (as grpc-java's StatusProto). */
  private static final Metadata.Key<byte[]> STATUS_DETAILS =
      Metadata.Key.of("grpc-status-details-bin", Metadata.BINARY_BYTE_MARSHALLER);

  private static final MethodDescriptor.Marshaller<byte[]> BYTES =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  static final MethodDescriptor<byte[], byte[]> EXPORT =
      MethodDescriptor.<byte[], byte[]>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Export"))
          .setRequestMarshaller(BYTES)
          .setResponseMarshaller(BYTES)
          .build();

  private OtlpGrpcService() {}

  /** The service definition to register with Armeria's {@code GrpcService}. */
  public static ServerServiceDefinition definition(
      TraceIngestor ingestor, TenantResolver tenants, GatewayConfig config, MeterRegistry metrics) {
    return ServerServiceDefinition.builder(SERVICE)
        .addMethod(
            EXPORT,
            ServerCalls.asyncUnaryCall(
                (byte[] request, StreamObserver<byte[]> response) ->
                    export(request, response, ingestor, tenants, config, metrics)))
        .build();
  }

  private static void export(
      byte[] request,
      StreamObserver<byte[]> response,
      TraceIngestor ingestor,
      TenantResolver tenants,
      GatewayConfig config,
      MeterRegistry metrics) {
    long started = System.nanoTime();
    ServiceRequestContext ctx = ServiceRequestContext.current();
    TenantResolver.Resolution tenant = tenants.resolve(name -> ctx.request().headers().get(name));
    if (tenant.tenant().isEmpty()) {
      Reason reason = config.authEnabled() ? Reason.UNAUTHENTICATED : Reason.MALFORMED;
      fail(
          response,
          new IngestOutcome.Refused(reason, tenant.problem()),
          ingestor,
          metrics,
          started);
      return;
    }
    ingestor
        .ingest(
            tenant.tenant().get(),
            request,
            Encoding.PROTOBUF,
            ctx.request().headers().get(TraceIngestor.DEBUG_HEADER))
        .whenComplete(
            (outcome, error) -> {
              if (error != null) {
                response.onError(
                    Status.INTERNAL.withDescription(error.toString()).asRuntimeException());
              } else if (outcome instanceof IngestOutcome.Accepted a) {
                record(metrics, started, "accepted");
                response.onNext(OtlpExportResponses.protobuf(a.rejectedSpans(), a.message()));
                response.onCompleted();
              } else {
                fail(response, (IngestOutcome.Refused) outcome, ingestor, metrics, started);
              }
            });
  }

  private static void fail(
      StreamObserver<byte[]> response,
      IngestOutcome.Refused refused,
      TraceIngestor ingestor,
      MeterRegistry metrics,
      long started) {
    record(metrics, started, refused.reason().name().toLowerCase(Locale.ROOT));
    int code = GrpcCodes.of(refused.reason());
    byte[] details =
        refused.reason() == Reason.RATE_LIMITED || refused.reason() == Reason.UNAVAILABLE
            ? OtlpExportResponses.statusProtobuf(
                code, refused.message(), ingestor.retryAfter().toSeconds())
            : OtlpExportResponses.statusProtobuf(code, refused.message());
    Metadata trailers = new Metadata();
    trailers.put(STATUS_DETAILS, details);
    response.onError(
        Status.fromCodeValue(code).withDescription(refused.message()).asRuntimeException(trailers));
  }

  private static void record(MeterRegistry metrics, long started, String outcome) {
    Timer.builder("spanline.gateway.request.duration")
        .description("OTLP export requests, from arrival to answer")
        .tag("protocol", "grpc")
        .tag("outcome", outcome)
        .publishPercentiles(0.5, 0.99)
        .register(metrics)
        .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
  }
}
