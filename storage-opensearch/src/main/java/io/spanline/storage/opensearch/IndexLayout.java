package io.spanline.storage.opensearch;

import io.spanline.schemas.model.SpanId;
import io.spanline.schemas.model.TraceId;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where kept traces live in OpenSearch: daily indices {@code <prefix>-spans-YYYY-MM-DD} (one
 * searchable document per span, dated by the span's start), {@code <prefix>-fragments-YYYY-MM-DD}
 * (one document per kept trace fragment holding its spans once, compressed, dated by the fragment's
 * earliest span start) and {@code <prefix>-traces-YYYY-MM-DD} (one summary document per trace,
 * dated by the trace's start), days in UTC. Indices are shared by tenants; every document carries
 * its tenant and every query must filter on it.
 *
 * <p>Document IDs are deterministic, so replays and retries overwrite instead of duplicating:
 * {@code <tenant>:<trace ID hex>:<span ID hex>} for spans, {@code <tenant>:<trace ID
 * hex>:f<fragment>} for fragments and {@code <tenant>:<trace ID hex>} for summaries.
 */
public final class IndexLayout {
  /** Day suffix of index names, e.g. {@code 2026-11-22}. */
  public static final DateTimeFormatter DAY = DateTimeFormatter.ISO_LOCAL_DATE;

  private static final Pattern PREFIX = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,100}");

  /** A generation's name: 1-32 chars of a-z, 0-9 and '_', starting with a letter or digit. */
  private static final Pattern GENERATION = Pattern.compile("[a-z0-9][a-z0-9_]{0,31}");

  /** What a generation's prefix adds to the live prefix: {@code <prefix>-gen-<name>}. */
  public static final String GENERATION_INFIX = "-gen-";

  private final String prefix;

  /**
   * @param prefix lowercase letters, digits, {@code _ . -}, starting with a letter or digit (an
   *     OpenSearch index name rule), at most 101 chars
   * @throws IllegalArgumentException if the prefix breaks those rules
   */
  public IndexLayout(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    if (!PREFIX.matcher(prefix).matches()) {
      throw new IllegalArgumentException(
          "Invalid index prefix '"
              + prefix
              + "'. Must be 1-101 chars of a-z, 0-9, '_', '.', '-', starting with a-z or 0-9.");
    }
    this.prefix = prefix;
  }

  public String prefix() {
    return prefix;
  }

  /**
   * The layout of a generation of this layout's indices ({@code <prefix>-gen-<name>-spans-…} and so
   * on): traces re-sampled into it stay out of the live patterns ({@code <prefix>-spans-*}) until
   * it is promoted, which makes each live day name an alias of the generation's index.
   *
   * @param name 1-32 chars of {@code a-z 0-9 _}, starting with a letter or digit (no '-', so the
   *     name can be read back from an index name)
   * @throws IllegalArgumentException if the name breaks those rules or the prefix grows too long
   */
  public IndexLayout generation(String name) {
    Objects.requireNonNull(name, "name");
    if (!GENERATION.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "Invalid generation name '"
              + name
              + "'. Must be 1-32 chars of a-z, 0-9 and '_', starting with a-z or 0-9.");
    }
    return new IndexLayout(prefix + GENERATION_INFIX + name);
  }

  /** The span index of a UTC day. */
  public String spanIndex(LocalDate day) {
    return spanIndexBase() + DAY.format(day);
  }

  /** The trace summary index of a UTC day. */
  public String traceIndex(LocalDate day) {
    return traceIndexBase() + DAY.format(day);
  }

  /** The trace fragment index of a UTC day. */
  public String fragmentIndex(LocalDate day) {
    return fragmentIndexBase() + DAY.format(day);
  }

  /** {@code <prefix>-fragments-*}: every trace fragment index. */
  public String fragmentIndexPattern() {
    return fragmentIndexBase() + "*";
  }

  /** Name of the index template of the trace fragment indices. */
  public String fragmentTemplateName() {
    return prefix + "-fragments";
  }

  /** {@code <prefix>-spans-*}: every span index. */
  public String spanIndexPattern() {
    return spanIndexBase() + "*";
  }

  /** {@code <prefix>-traces-*}: every trace summary index. */
  public String traceIndexPattern() {
    return traceIndexBase() + "*";
  }

  /** Name of the index template of the span indices. */
  public String spanTemplateName() {
    return prefix + "-spans";
  }

  /** Name of the index template of the trace summary indices. */
  public String traceTemplateName() {
    return prefix + "-traces";
  }

  /** The UTC day of an instant given in epoch nanoseconds. */
  public static LocalDate dayOf(long epochNanos) {
    return LocalDate.ofInstant(
        Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L)), ZoneOffset.UTC);
  }

  /**
   * The span indices that can hold spans starting within {@code [fromEpochNanos, toEpochNanos]},
   * one per UTC day, oldest first.
   *
   * @throws IllegalArgumentException if {@code from} is after {@code to} or the range spans more
   *     than 3 660 days
   */
  public List<String> spanIndices(long fromEpochNanos, long toEpochNanos) {
    return daily(fromEpochNanos, toEpochNanos, spanIndexBase());
  }

  /** Like {@link #spanIndices} for the trace summary indices. */
  public List<String> traceIndices(long fromEpochNanos, long toEpochNanos) {
    return daily(fromEpochNanos, toEpochNanos, traceIndexBase());
  }

  /**
   * The day of one of this layout's span, fragment or trace indices, or of one of its generations'
   * ({@code <prefix>-gen-<name>-spans-YYYY-MM-DD}: the index a promoted day's live name is an alias
   * of, so the retention job, which lists the live patterns, deletes it when the day expires);
   * empty for any other index name (including another prefix's indices).
   */
  public Optional<LocalDate> dayOfIndex(String index) {
    String generations = prefix + GENERATION_INFIX;
    if (index.startsWith(generations)) {
      int end = index.indexOf('-', generations.length());
      String name = end < 0 ? "" : index.substring(generations.length(), end);
      if (!GENERATION.matcher(name).matches()) {
        return Optional.empty();
      }
      return generation(name).ownDayOfIndex(index);
    }
    return ownDayOfIndex(index);
  }

  private Optional<LocalDate> ownDayOfIndex(String index) {
    String suffix;
    if (index.startsWith(spanIndexBase())) {
      suffix = index.substring(spanIndexBase().length());
    } else if (index.startsWith(traceIndexBase())) {
      suffix = index.substring(traceIndexBase().length());
    } else if (index.startsWith(fragmentIndexBase())) {
      suffix = index.substring(fragmentIndexBase().length());
    } else {
      return Optional.empty();
    }
    try {
      return Optional.of(LocalDate.parse(suffix, DAY));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /** {@code <tenant>:<trace ID hex>:<span ID hex>}. */
  public static String spanDocumentId(String tenant, TraceId traceId, SpanId spanId) {
    return tenant + ':' + traceId.toHex() + ':' + spanId.toHex();
  }

  /**
   * {@code <tenant>:<trace ID hex>:f<fragment>}.
   *
   * @param fragment 0 for the trace as first closed, 1, 2, … for late fragments
   */
  public static String fragmentDocumentId(String tenant, TraceId traceId, int fragment) {
    return tenant + ':' + traceId.toHex() + ":f" + fragment;
  }

  /** {@code <tenant>:<trace ID hex>}. */
  public static String traceDocumentId(String tenant, TraceId traceId) {
    return tenant + ':' + traceId.toHex();
  }

  private String spanIndexBase() {
    return prefix + "-spans-";
  }

  private String fragmentIndexBase() {
    return prefix + "-fragments-";
  }

  private String traceIndexBase() {
    return prefix + "-traces-";
  }

  private static List<String> daily(long fromEpochNanos, long toEpochNanos, String base) {
    if (fromEpochNanos > toEpochNanos) {
      throw new IllegalArgumentException(
          "from (" + fromEpochNanos + ") is after to (" + toEpochNanos + ")");
    }
    LocalDate first = dayOf(fromEpochNanos);
    LocalDate last = dayOf(toEpochNanos);
    if (first.plusDays(3660).isBefore(last)) {
      throw new IllegalArgumentException(
          "time range longer than 3660 days: " + first + " .. " + last);
    }
    List<String> names = new ArrayList<>();
    for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
      names.add(base + DAY.format(d));
    }
    return names;
  }
}
