package io.spanline.schemas.model;

import java.util.List;
import java.util.Objects;

/**
 * RED metrics and service-graph edges of one tenant for one time window: the value of topic {@code
 * spanline.metrics}. Computed on every trace before sampling, so they are unbiased. Several values
 * may cover the same tenant and window; they add up.
 *
 * @param windowStartEpochNanos start of the window (inclusive), epoch nanoseconds
 * @param windowEndEpochNanos end of the window (exclusive), epoch nanoseconds
 * @param durationBucketBoundsNanos inclusive upper bounds of the duration histogram buckets,
 *     ascending, in nanoseconds
 */
public record ServiceMetrics(
    String tenant,
    long windowStartEpochNanos,
    long windowEndEpochNanos,
    List<Long> durationBucketBoundsNanos,
    List<SpanMetric> spanMetrics,
    List<ServiceGraphEdge> edges) {

  public ServiceMetrics {
    Objects.requireNonNull(tenant, "tenant");
    durationBucketBoundsNanos = List.copyOf(durationBucketBoundsNanos);
    spanMetrics = List.copyOf(spanMetrics);
    edges = List.copyOf(edges);
  }

  /**
   * Requests, errors and durations of the spans of one series.
   *
   * @param operation the span name
   * @param durationBucketCounts one count per bucket bound, plus one for durations above the last
   */
  public record SpanMetric(
      String service,
      String operation,
      SpanKind spanKind,
      StatusCode statusCode,
      long requestCount,
      long errorCount,
      long durationSumNanos,
      List<Long> durationBucketCounts) {
    public SpanMetric {
      Objects.requireNonNull(service, "service");
      Objects.requireNonNull(operation, "operation");
      Objects.requireNonNull(spanKind, "spanKind");
      Objects.requireNonNull(statusCode, "statusCode");
      durationBucketCounts = List.copyOf(durationBucketCounts);
    }
  }

  /**
   * Calls from spans of service {@code client} to child spans of service {@code server}.
   *
   * @param errorCount calls whose child (server) span has status ERROR
   * @param durationSumNanos sum of the child spans' durations
   */
  public record ServiceGraphEdge(
      String client, String server, long requestCount, long errorCount, long durationSumNanos) {
    public ServiceGraphEdge {
      Objects.requireNonNull(client, "client");
      Objects.requireNonNull(server, "server");
    }
  }
}
