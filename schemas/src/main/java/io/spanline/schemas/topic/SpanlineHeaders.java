package io.spanline.schemas.topic;

/** Kafka record headers Spanline writes and reads on its topics. */
public final class SpanlineHeaders {
  /**
   * The tenant a record belongs to, UTF-8; on {@code otlp_spans} and every topic after it. A record
   * without it belongs to the tenant {@code default}.
   */
  public static final String TENANT = "spanline.tenant";

  /** The tenant of records that carry no {@link #TENANT} header (e.g. from a Collector). */
  public static final String DEFAULT_TENANT = "default";

  private SpanlineHeaders() {}
}
