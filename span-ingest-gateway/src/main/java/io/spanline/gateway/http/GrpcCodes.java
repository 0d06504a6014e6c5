package io.spanline.gateway.http;

import io.spanline.gateway.ingest.IngestOutcome.Reason;

/** gRPC status codes for refusals, as OTLP/HTTP error bodies and OTLP/gRPC answers carry them. */
public final class GrpcCodes {
  private GrpcCodes() {}

  /** The gRPC code number (io.grpc.Status.Code values). */
  public static int of(Reason reason) {
    return switch (reason) {
      case MALFORMED, TOO_LARGE, UNSUPPORTED_MEDIA_TYPE -> 3; // INVALID_ARGUMENT
      case UNAUTHENTICATED -> 16; // UNAUTHENTICATED
      case RATE_LIMITED -> 8; // RESOURCE_EXHAUSTED
      case UNAVAILABLE -> 14; // UNAVAILABLE
    };
  }
}
