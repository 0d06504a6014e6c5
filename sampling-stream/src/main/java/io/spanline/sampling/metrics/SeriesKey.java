package io.spanline.sampling.metrics;

import io.spanline.schemas.model.SpanKind;
import io.spanline.schemas.model.StatusCode;

/**
 * The key of one aggregate in the {@value MetricsStore#NAME} store: a RED series or a service-graph
 * edge of one tenant and window. Encoded as text with NUL separators, so the store can be read back
 * into {@code ServiceMetrics} values.
 */
record SeriesKey(
    String tenant,
    long windowStartEpochNanos,
    boolean edge,
    String service,
    String operation,
    SpanKind kind,
    StatusCode status,
    String server) {
  private static final char SEP = '\u0000';

  static SeriesKey span(
      String tenant, long window, String service, String operation, SpanKind kind, StatusCode s) {
    return new SeriesKey(tenant, window, false, service, operation, kind, s, "");
  }

  static SeriesKey edge(String tenant, long window, String client, String server) {
    return new SeriesKey(
        tenant, window, true, client, "", SpanKind.UNSPECIFIED, StatusCode.UNSET, server);
  }

  String encode() {
    StringBuilder b = new StringBuilder(64);
    b.append(edge ? 'E' : 'S').append(SEP).append(tenant).append(SEP).append(windowStartEpochNanos);
    b.append(SEP).append(service);
    if (edge) {
      b.append(SEP).append(server);
    } else {
      b.append(SEP)
          .append(operation)
          .append(SEP)
          .append(kind.name())
          .append(SEP)
          .append(status.name());
    }
    return b.toString();
  }

  static SeriesKey decode(String text) {
    String[] p = text.split(String.valueOf(SEP), -1);
    long window = Long.parseLong(p[2]);
    if (p[0].equals("E")) {
      return edge(p[1], window, p[3], p[4]);
    }
    return span(p[1], window, p[3], p[4], SpanKind.valueOf(p[5]), StatusCode.valueOf(p[6]));
  }
}
