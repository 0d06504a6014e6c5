package io.spanline.gateway.ingest;

/**
 * What became of one export request; the OTLP/HTTP and OTLP/gRPC layers map it to their answers.
 */
public sealed interface IngestOutcome {

  /**
   * Written to Kafka and acknowledged (possibly with some spans rejected: OTLP partial success).
   *
   * @param acceptedSpans spans written (after head sampling, which drops whole traces silently)
   * @param rejectedSpans spans refused as invalid
   * @param message why spans were refused, "" when none were
   */
  record Accepted(int acceptedSpans, int rejectedSpans, String message) implements IngestOutcome {}

  /** Refused as a whole; {@link Reason} says how the client should react. */
  record Refused(Reason reason, String message) implements IngestOutcome {}

  enum Reason {
    /** Malformed request: do not retry (HTTP 400, gRPC INVALID_ARGUMENT). */
    MALFORMED,
    /** Larger than the tenant's limits: do not retry (HTTP 413, gRPC INVALID_ARGUMENT). */
    TOO_LARGE,
    /** Unsupported media type (HTTP 415). */
    UNSUPPORTED_MEDIA_TYPE,
    /** Missing or unknown API key (HTTP 401, gRPC UNAUTHENTICATED). */
    UNAUTHENTICATED,
    /** Over the tenant's rate limit: retry later (HTTP 429, gRPC RESOURCE_EXHAUSTED). */
    RATE_LIMITED,
    /**
     * Kafka is slow or down, or too much is in flight: retry later (HTTP 503, gRPC UNAVAILABLE).
     */
    UNAVAILABLE
  }
}
