package io.spanline.service.tenancy;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The tenant-limits file: limits every tenant gets ({@code defaults}) and per-tenant overrides
 * ({@code overrides.<tenant>}), as Grafana Tempo's and Loki's runtime overrides. Read by the
 * gateway, the assembly stream, the query service, the index sink and the archive sink and reloaded
 * while they run ({@link TenantLimitsReloader}); docs/TENANT-LIMITS.md lists every key, its default
 * and the service that applies it.
 *
 * <pre>{@code
 * defaults:
 *   ingest-spans-per-second: 10000
 * overrides:
 *   acme:
 *     ingest-spans-per-second: 50000
 *     query-concurrency: 4
 * }</pre>
 *
 * <p>A key absent from both a tenant's override and the defaults is not limited by the file: the
 * service's own setting applies (for the ingest rates, {@code limits.spans-per-second} and {@code
 * limits.bytes-per-second} of the gateway; for the trace bounds, {@code trace.max.spans} and {@code
 * trace.max.bytes} of the assembly).
 *
 * @param defaults the limits of every tenant without an override of that key
 * @param overrides tenant ID → the keys it sets differently; a key it does not set comes from
 *     {@code defaults}
 */
public record TenantLimitsFile(Limits defaults, Map<String, Limits> overrides) {
  private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /** Most days {@code hot-retention-days} and {@code cold-retention-days} take (ten years). */
  public static final long MAX_RETENTION_DAYS = 3660;

  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);

  /** A file without limits: every key comes from the services' own settings. */
  public static final TenantLimitsFile EMPTY = new TenantLimitsFile(Limits.NONE, Map.of());

  /**
   * @throws IllegalArgumentException if a tenant ID is not 1-64 of {@code A-Z a-z 0-9 . _ -}
   */
  public TenantLimitsFile {
    defaults = defaults == null ? Limits.NONE : defaults;
    Map<String, Limits> copy = new LinkedHashMap<>();
    if (overrides != null) {
      overrides.forEach(
          (tenant, limits) -> {
            if (!TENANT.matcher(tenant).matches()) {
              throw new IllegalArgumentException(
                  "overrides." + tenant + ": not a tenant ID (1-64 of A-Z a-z 0-9 . _ -)");
            }
            copy.put(tenant, limits == null ? Limits.NONE : limits);
          });
    }
    overrides = Map.copyOf(copy);
  }

  @JsonCreator
  static TenantLimitsFile fromYaml(
      @JsonProperty("defaults") Limits defaults,
      @JsonProperty("overrides") Map<String, Limits> overrides) {
    return new TenantLimitsFile(defaults, overrides);
  }

  /**
   * Parses the file's text (YAML; an empty text has no limits).
   *
   * @throws IllegalArgumentException naming the line, column and key of what is wrong: an unknown
   *     key (with the known ones), a value that is not a whole number or is out of range, a tenant
   *     ID that is not one
   */
  public static TenantLimitsFile parse(String yaml) {
    Objects.requireNonNull(yaml, "yaml");
    if (yaml.isBlank()) {
      return EMPTY;
    }
    try {
      TenantLimitsFile file = YAML.readValue(yaml, TenantLimitsFile.class);
      return file == null ? EMPTY : file;
    } catch (UnrecognizedPropertyException e) {
      throw new IllegalArgumentException(
          "unknown key '"
              + path(e)
              + "' near line "
              + e.getLocation().getLineNr()
              + " (known: "
              + new TreeSet<>(e.getKnownPropertyIds().stream().map(String::valueOf).toList())
              + ")",
          e);
    } catch (JsonProcessingException e) {
      Throwable cause = e.getCause() instanceof IllegalArgumentException ? e.getCause() : e;
      String where =
          e.getLocation() == null
              ? ""
              : " at line "
                  + e.getLocation().getLineNr()
                  + ", column "
                  + e.getLocation().getColumnNr();
      String key = e instanceof JsonMappingException m ? path(m) : "";
      throw new IllegalArgumentException(
          "invalid tenant-limits file"
              + where
              + (key.isEmpty() ? "" : " (" + key + ")")
              + ": "
              + firstLine(cause.getMessage()),
          e);
    }
  }

  /** The dotted path of the key an error is about, e.g. {@code overrides.acme.max-open-traces}. */
  private static String path(JsonMappingException e) {
    StringBuilder out = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        out.append(out.length() == 0 ? "" : ".").append(r.getFieldName());
      }
    }
    return out.toString();
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }

  /** The limits of {@code tenant}: its override of each key, else the default of that key. */
  public Limits forTenant(String tenant) {
    Limits own = overrides.get(tenant);
    return own == null ? defaults : own.orElse(defaults);
  }

  /**
   * One tenant's limits (or the defaults); each key is empty when the file does not set it. Units:
   * spans, bytes, traces, requests, days as named; rates per second.
   *
   * @param ingestSpansPerSecond spans per second a tenant may send, over all gateways together (0 =
   *     unlimited); applied by the gateway
   * @param ingestBytesPerSecond request bytes per second a tenant may send, over all gateways
   *     together (0 = unlimited); applied by the gateway
   * @param maxOpenTraces open traces a tenant may hold in one assembly instance; applied by the
   *     assembly stream, which closes the tenant's traces due soonest early beyond it
   * @param maxBufferedBytes buffered OTLP bytes a tenant may hold in one assembly instance; as
   *     {@code maxOpenTraces}
   * @param maxSpansPerTrace spans of one trace (fragment) before the assembly closes it (instead of
   *     {@code trace.max.spans})
   * @param maxBytesPerTrace OTLP bytes of one trace (fragment) before the assembly closes it
   *     (instead of {@code trace.max.bytes})
   * @param queryConcurrency API requests of a tenant the query service runs at once (on each query
   *     instance); more are answered 429
   * @param queryMaxResults most traces one search of a tenant returns (a larger {@code limit} is
   *     lowered to it); applied by the query service
   * @param indexedAttributes attribute keys (span or resource) the index sink indexes for the
   *     tenant, replacing the sink's {@code index.attributes}; {@link #ALL_ATTRIBUTES} alone
   *     indexes every key, an empty set none
   * @param hotRetentionDays whole UTC days the tenant's documents stay in OpenSearch (at most the
   *     index sink's {@code retention.days}); applied by the index sink's retention job
   * @param coldRetentionDays whole UTC days the tenant's archive partitions stay (at most the
   *     archive sink's {@code retention.days}); applied by the archive sink's retention sweep
   */
  public record Limits(
      OptionalLong ingestSpansPerSecond,
      OptionalLong ingestBytesPerSecond,
      OptionalLong maxOpenTraces,
      OptionalLong maxBufferedBytes,
      OptionalLong maxSpansPerTrace,
      OptionalLong maxBytesPerTrace,
      OptionalLong queryConcurrency,
      OptionalLong queryMaxResults,
      Optional<Set<String>> indexedAttributes,
      OptionalLong hotRetentionDays,
      OptionalLong coldRetentionDays) {

    /** The {@code indexed-attributes} entry that indexes every key (alone in the list). */
    public static final String ALL_ATTRIBUTES = "*";

    /** Longest attribute key {@code indexed-attributes} takes, in chars. */
    public static final int MAX_ATTRIBUTE_KEY_LENGTH = 255;

    /** Sets no key. */
    public static final Limits NONE =
        new Limits(
            OptionalLong.empty(),
            OptionalLong.empty(),
            OptionalLong.empty(),
            OptionalLong.empty(),
            OptionalLong.empty(),
            OptionalLong.empty(),
            OptionalLong.empty(),
            OptionalLong.empty());

    /**
     * @throws IllegalArgumentException naming the key and value when a rate is negative, another
     *     number is not positive, or an attribute key is empty, too long, holds whitespace or
     *     control characters, or {@code *} is not alone
     */
    public Limits {
      atLeast("ingest-spans-per-second", ingestSpansPerSecond, 0);
      atLeast("ingest-bytes-per-second", ingestBytesPerSecond, 0);
      atLeast("max-open-traces", maxOpenTraces, 1);
      atLeast("max-buffered-bytes", maxBufferedBytes, 1);
      atLeast("max-spans-per-trace", maxSpansPerTrace, 1);
      atLeast("max-bytes-per-trace", maxBytesPerTrace, 1);
      atLeast("query-concurrency", queryConcurrency, 1);
      atLeast("query-max-results", queryMaxResults, 1);
      atLeast("hot-retention-days", hotRetentionDays, 1);
      atLeast("cold-retention-days", coldRetentionDays, 1);
      atMost("hot-retention-days", hotRetentionDays, MAX_RETENTION_DAYS);
      atMost("cold-retention-days", coldRetentionDays, MAX_RETENTION_DAYS);
      atMost("max-spans-per-trace", maxSpansPerTrace, Integer.MAX_VALUE);
      indexedAttributes = Objects.requireNonNull(indexedAttributes, "indexedAttributes");
      if (indexedAttributes.isPresent()) {
        indexedAttributes = Optional.of(attributeKeys(indexedAttributes.get()));
      }
    }

    /** The eight limits the file had before the storage keys, none of those set. */
    public Limits(
        OptionalLong ingestSpansPerSecond,
        OptionalLong ingestBytesPerSecond,
        OptionalLong maxOpenTraces,
        OptionalLong maxBufferedBytes,
        OptionalLong maxSpansPerTrace,
        OptionalLong maxBytesPerTrace,
        OptionalLong queryConcurrency,
        OptionalLong queryMaxResults) {
      this(
          ingestSpansPerSecond,
          ingestBytesPerSecond,
          maxOpenTraces,
          maxBufferedBytes,
          maxSpansPerTrace,
          maxBytesPerTrace,
          queryConcurrency,
          queryMaxResults,
          Optional.empty(),
          OptionalLong.empty(),
          OptionalLong.empty());
    }

    @JsonCreator
    static Limits fromYaml(
        @JsonProperty("ingest-spans-per-second") Long ingestSpansPerSecond,
        @JsonProperty("ingest-bytes-per-second") Long ingestBytesPerSecond,
        @JsonProperty("max-open-traces") Long maxOpenTraces,
        @JsonProperty("max-buffered-bytes") Long maxBufferedBytes,
        @JsonProperty("max-spans-per-trace") Long maxSpansPerTrace,
        @JsonProperty("max-bytes-per-trace") Long maxBytesPerTrace,
        @JsonProperty("query-concurrency") Long queryConcurrency,
        @JsonProperty("query-max-results") Long queryMaxResults,
        @JsonProperty("indexed-attributes") List<String> indexedAttributes,
        @JsonProperty("hot-retention-days") Long hotRetentionDays,
        @JsonProperty("cold-retention-days") Long coldRetentionDays) {
      return new Limits(
          of(ingestSpansPerSecond),
          of(ingestBytesPerSecond),
          of(maxOpenTraces),
          of(maxBufferedBytes),
          of(maxSpansPerTrace),
          of(maxBytesPerTrace),
          of(queryConcurrency),
          of(queryMaxResults),
          indexedAttributes == null
              ? Optional.empty()
              : Optional.of(new LinkedHashSet<>(checkedList(indexedAttributes))),
          of(hotRetentionDays),
          of(coldRetentionDays));
    }

    /** These limits with {@code indexed-attributes} set to {@code keys}. */
    public Limits withIndexedAttributes(Set<String> keys) {
      return new Limits(
          ingestSpansPerSecond,
          ingestBytesPerSecond,
          maxOpenTraces,
          maxBufferedBytes,
          maxSpansPerTrace,
          maxBytesPerTrace,
          queryConcurrency,
          queryMaxResults,
          Optional.of(keys),
          hotRetentionDays,
          coldRetentionDays);
    }

    /** These limits with {@code hot-retention-days} and {@code cold-retention-days} set. */
    public Limits withRetentionDays(OptionalLong hotDays, OptionalLong coldDays) {
      return new Limits(
          ingestSpansPerSecond,
          ingestBytesPerSecond,
          maxOpenTraces,
          maxBufferedBytes,
          maxSpansPerTrace,
          maxBytesPerTrace,
          queryConcurrency,
          queryMaxResults,
          indexedAttributes,
          hotDays,
          coldDays);
    }

    private static OptionalLong of(Long value) {
      return value == null ? OptionalLong.empty() : OptionalLong.of(value);
    }

    private static List<String> checkedList(List<String> keys) {
      for (String k : keys) {
        if (k == null) {
          throw new IllegalArgumentException(
              "Invalid value for indexed-attributes: an empty entry. Must be attribute keys.");
        }
      }
      return keys;
    }

    private static Set<String> attributeKeys(Set<String> keys) {
      for (String k : keys) {
        if (k == null || k.isEmpty() || k.length() > MAX_ATTRIBUTE_KEY_LENGTH) {
          throw new IllegalArgumentException(
              "Invalid value for indexed-attributes: '"
                  + k
                  + "'. Must be an attribute key of 1-"
                  + MAX_ATTRIBUTE_KEY_LENGTH
                  + " chars.");
        }
        for (int i = 0; i < k.length(); i++) {
          char c = k.charAt(i);
          if (Character.isWhitespace(c) || Character.isISOControl(c)) {
            throw new IllegalArgumentException(
                "Invalid value for indexed-attributes: '"
                    + k
                    + "'. An attribute key holds no whitespace or control characters.");
          }
        }
        if (k.startsWith(".") || k.endsWith(".") || k.contains("..")) {
          throw new IllegalArgumentException(
              "Invalid value for indexed-attributes: '"
                  + k
                  + "'. An attribute key does not start or end with '.' nor hold '..'.");
        }
        if (k.equals(ALL_ATTRIBUTES) && keys.size() > 1) {
          throw new IllegalArgumentException(
              "Invalid value for indexed-attributes: " + keys + ". '*' (every key) stands alone.");
        }
      }
      return Collections.unmodifiableSet(new LinkedHashSet<>(keys));
    }

    private static void atLeast(String key, OptionalLong value, long min) {
      if (value.isPresent() && value.getAsLong() < min) {
        throw new IllegalArgumentException(
            "Invalid value for " + key + "=" + value.getAsLong() + ". Must be >= " + min + ".");
      }
    }

    private static void atMost(String key, OptionalLong value, long max) {
      if (value.isPresent() && value.getAsLong() > max) {
        throw new IllegalArgumentException(
            "Invalid value for " + key + "=" + value.getAsLong() + ". Must be <= " + max + ".");
      }
    }

    /** These limits, with each key they do not set taken from {@code fallback}. */
    public Limits orElse(Limits fallback) {
      return new Limits(
          or(ingestSpansPerSecond, fallback, Limits::ingestSpansPerSecond),
          or(ingestBytesPerSecond, fallback, Limits::ingestBytesPerSecond),
          or(maxOpenTraces, fallback, Limits::maxOpenTraces),
          or(maxBufferedBytes, fallback, Limits::maxBufferedBytes),
          or(maxSpansPerTrace, fallback, Limits::maxSpansPerTrace),
          or(maxBytesPerTrace, fallback, Limits::maxBytesPerTrace),
          or(queryConcurrency, fallback, Limits::queryConcurrency),
          or(queryMaxResults, fallback, Limits::queryMaxResults),
          indexedAttributes.isPresent() ? indexedAttributes : fallback.indexedAttributes(),
          or(hotRetentionDays, fallback, Limits::hotRetentionDays),
          or(coldRetentionDays, fallback, Limits::coldRetentionDays));
    }

    private static OptionalLong or(
        OptionalLong own, Limits fallback, Function<Limits, OptionalLong> key) {
      return own.isPresent() ? own : key.apply(fallback);
    }
  }
}
