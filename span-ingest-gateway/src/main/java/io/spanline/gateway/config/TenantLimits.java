package io.spanline.gateway.config;

/**
 * Limits applied to one tenant's requests. 0 means "no limit" for the rate limits.
 *
 * @param maxRequestBytes largest request body, after decompression, in bytes (→ 413)
 * @param maxSpansPerRequest most spans in one request (→ 413)
 * @param maxAttributesPerSpan attributes kept per span, event and link; the rest are dropped and
 *     counted in the dropped-attributes count, as OpenTelemetry SDKs do
 * @param maxAttributeValueBytes longest string or bytes attribute value kept, in UTF-8 bytes;
 *     longer values are truncated and the attribute key listed in {@code
 *     spanline.truncated_attributes}
 * @param maxEventsPerSpan events kept per span; the rest are dropped and counted
 * @param maxLinksPerSpan links kept per span; the rest are dropped and counted
 * @param spansPerSecond sustained spans per second accepted from the tenant (0 = unlimited)
 * @param bytesPerSecond sustained request bytes per second accepted from the tenant (0 = unlimited)
 */
public record TenantLimits(
    long maxRequestBytes,
    int maxSpansPerRequest,
    int maxAttributesPerSpan,
    int maxAttributeValueBytes,
    int maxEventsPerSpan,
    int maxLinksPerSpan,
    long spansPerSecond,
    long bytesPerSecond) {

  /** The defaults: 16 MiB, 100 000 spans, 128 attributes of 4 KiB, 128 events and links. */
  public static final TenantLimits DEFAULTS =
      new TenantLimits(16L << 20, 100_000, 128, 4096, 128, 128, 0, 0);

  public TenantLimits {
    positive("max-request-bytes", maxRequestBytes);
    positive("max-spans-per-request", maxSpansPerRequest);
    positive("max-attributes-per-span", maxAttributesPerSpan);
    positive("max-attribute-value-bytes", maxAttributeValueBytes);
    positive("max-events-per-span", maxEventsPerSpan);
    positive("max-links-per-span", maxLinksPerSpan);
    if (spansPerSecond < 0 || bytesPerSecond < 0) {
      throw new IllegalArgumentException(
          "rate limits must be >= 0 (0 = unlimited), were spans-per-second="
              + spansPerSecond
              + " bytes-per-second="
              + bytesPerSecond);
    }
  }

  private static void positive(String key, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(
          "Invalid value for limit " + key + "=" + value + ". Must be > 0.");
    }
  }
}
