package io.spanline.service.logging;

import io.spanline.schemas.topic.SpanlineHeaders;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.regex.Pattern;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.slf4j.MDC;

/**
 * The SLF4J MDC keys a failure's log lines carry, and a scope that sets them for the lines logged
 * inside it: {@code try (var ignored = LogContext.of(tenant, traceIdHex)) { LOG.warn(...); }}. In
 * text logs they appear as {@code {tenant=acme, trace.id=4bf9…}} after the logger; in JSON logs as
 * top-level fields {@code tenant} and {@code trace.id} (the Elastic Common Schema's name for a
 * trace ID).
 */
public final class LogContext implements AutoCloseable {
  /** The tenant of the request or record. */
  public static final String TENANT = "tenant";

  /** The trace ID, 32 lower-case hex digits, where one trace is concerned. */
  public static final String TRACE_ID = "trace.id";

  private static final Pattern HEX_TRACE_ID = Pattern.compile("[0-9a-fA-F]{32}");

  private final String previousTenant;
  private final String previousTraceId;

  private LogContext(String tenant, String traceId) {
    previousTenant = MDC.get(TENANT);
    previousTraceId = MDC.get(TRACE_ID);
    set(TENANT, tenant);
    set(TRACE_ID, traceId);
  }

  /**
   * Sets both keys until {@link #close()}, which restores what was there before.
   *
   * @param tenant the tenant, or null when unknown
   * @param traceId the trace ID in hex, or null when unknown or not a single trace
   */
  public static LogContext of(String tenant, String traceId) {
    return new LogContext(tenant, traceId);
  }

  /**
   * The scope of a Kafka record: the tenant from its {@code spanline.tenant} header, the trace ID
   * from its key when that is one (32 hex characters as text or bytes, or 16 raw bytes).
   *
   * @param headers the record's headers, or null
   * @param key the record's key (bytes, text or a deserialized trace ID), or null
   */
  public static LogContext ofRecord(Headers headers, Object key) {
    String tenant = null;
    if (headers != null) {
      Header h = headers.lastHeader(SpanlineHeaders.TENANT);
      if (h != null && h.value() != null) {
        tenant = new String(h.value(), StandardCharsets.UTF_8);
      }
    }
    return new LogContext(tenant, traceId(key));
  }

  static String traceId(Object key) {
    String text;
    if (key instanceof byte[] bytes) {
      if (bytes.length == 16) {
        return HexFormat.of().formatHex(bytes);
      }
      text = new String(bytes, StandardCharsets.US_ASCII);
    } else if (key != null) {
      text = key.toString();
    } else {
      return null;
    }
    return HEX_TRACE_ID.matcher(text).matches() ? text.toLowerCase(java.util.Locale.ROOT) : null;
  }

  @Override
  public void close() {
    set(TENANT, previousTenant);
    set(TRACE_ID, previousTraceId);
  }

  private static void set(String key, String value) {
    if (value == null || value.isEmpty()) {
      MDC.remove(key);
    } else {
      MDC.put(key, value);
    }
  }
}
