package io.spanline.sampling.metrics;

import io.spanline.schemas.model.SpanKind;
import io.spanline.schemas.model.StatusCode;

/**
 * One RED series (tenant, service, operation, span kind, status) or service-graph edge (tenant,
 * client service, server service). Immutable; its hash is computed once, as every span of every
 * trace looks one up.
 */
final class SeriesKey {
  private final String tenant;
  private final boolean edge;
  private final String service;
  private final String operation;
  private final SpanKind kind;
  private final StatusCode status;
  private final String server;
  private final int hash;

  SeriesKey(
      String tenant,
      boolean edge,
      String service,
      String operation,
      SpanKind kind,
      StatusCode status,
      String server) {
    this.tenant = tenant;
    this.edge = edge;
    this.service = service;
    this.operation = operation;
    this.kind = kind;
    this.status = status;
    this.server = server;
    int h = tenant.hashCode();
    h = 31 * h + service.hashCode();
    h = 31 * h + operation.hashCode();
    h = 31 * h + server.hashCode();
    h = 31 * h + kind.ordinal();
    h = 31 * h + status.ordinal();
    this.hash = edge ? ~h : h;
  }

  String tenant() {
    return tenant;
  }

  boolean edge() {
    return edge;
  }

  String service() {
    return service;
  }

  String operation() {
    return operation;
  }

  SpanKind kind() {
    return kind;
  }

  StatusCode status() {
    return status;
  }

  String server() {
    return server;
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    return o instanceof SeriesKey k
        && k.hash == hash
        && k.edge == edge
        && k.kind == kind
        && k.status == status
        && k.operation.equals(operation)
        && k.service.equals(service)
        && k.server.equals(server)
        && k.tenant.equals(tenant);
  }

  @Override
  public String toString() {
    return edge
        ? tenant + ":" + service + "->" + server
        : tenant + ":" + service + "/" + operation + "/" + kind + "/" + status;
  }

  static SeriesKey span(
      String tenant, String service, String operation, SpanKind kind, StatusCode status) {
    return new SeriesKey(tenant, false, service, operation, kind, status, "");
  }

  static SeriesKey edge(String tenant, String client, String server) {
    return new SeriesKey(tenant, true, client, "", SpanKind.UNSPECIFIED, StatusCode.UNSET, server);
  }

  /**
   * A series in one window: the key of the {@value MetricsStore#NAME} store, as NUL-separated text.
   */
  record Windowed(SeriesKey series, long windowStartEpochNanos) {
    private static final char SEP = '\u0000';

    String encode() {
      SeriesKey s = series;
      StringBuilder b = new StringBuilder(64);
      b.append(s.edge ? 'E' : 'S').append(SEP).append(s.tenant).append(SEP);
      b.append(windowStartEpochNanos).append(SEP).append(s.service);
      if (s.edge) {
        b.append(SEP).append(s.server);
      } else {
        b.append(SEP).append(s.operation).append(SEP).append(s.kind.name());
        b.append(SEP).append(s.status.name());
      }
      return b.toString();
    }

    static Windowed decode(String text) {
      String[] p = text.split(String.valueOf(SEP), -1);
      long window = Long.parseLong(p[2]);
      if (p[0].equals("E")) {
        return new Windowed(edge(p[1], p[3], p[4]), window);
      }
      return new Windowed(
          span(p[1], p[3], p[4], SpanKind.valueOf(p[5]), StatusCode.valueOf(p[6])), window);
    }
  }
}
