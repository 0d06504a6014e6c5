package io.spanline.storage.archive;

import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.TraceId;
import io.spanline.storage.archive.internal.parquet.SpanRows;
import io.spanline.storage.archive.internal.s3.S3InputFile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroReadSupport;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.filter2.predicate.FilterApi;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.api.Binary;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Finds one trace in the Parquet archive: lists only the hour folders of the tenant within the time
 * range (partition pruning), and in each file lets the Parquet reader skip row groups by their
 * trace ID statistics and bloom filter and pages by the column index, reading just the {@code
 * trace_id}, {@code fragment} and {@code otlp} columns of what is left with ranged GETs. Spans of
 * every fragment found are returned together, at most {@code maxSpans} of them.
 *
 * <p>Thread-safe; the S3 client is shared, not closed.
 */
public final class ColdTraceReader {
  private static final Schema PROJECTION =
      SchemaBuilder.record("SpanRow")
          .namespace("io.spanline.archive")
          .fields()
          .requiredString("trace_id")
          .requiredInt("fragment")
          .requiredBytes("otlp")
          .endRecord();

  /** The footer (with the Avro schema parquet-avro keeps there) fits in this many bytes. */
  private static final int TAIL_FETCH = 16 * 1024;

  private final S3Client s3;
  private final String bucket;
  private final ArchiveLayout layout;
  private final int maxSpans;

  /**
   * @param maxSpans most spans returned for one trace; past it the result says it is truncated
   */
  public ColdTraceReader(S3Client s3, String bucket, ArchiveLayout layout, int maxSpans) {
    if (maxSpans < 1) {
      throw new IllegalArgumentException("maxSpans must be >= 1, was " + maxSpans);
    }
    this.s3 = Objects.requireNonNull(s3, "s3");
    this.bucket = Objects.requireNonNull(bucket, "bucket");
    this.layout = Objects.requireNonNull(layout, "layout");
    this.maxSpans = maxSpans;
  }

  /**
   * What a lookup found and what it cost.
   *
   * @param spans the trace's spans over all fragments found, by start time; empty when the archive
   *     does not hold the trace in that range
   * @param truncated true when the trace has more than {@code maxSpans} spans (the rest left out)
   * @param filesListed Parquet files in the hour folders of the range
   * @param bytesFetched bytes read from S3 by ranged GETs
   * @param requests ranged GETs made
   */
  public record ColdTrace(
      List<Span> spans, boolean truncated, int filesListed, long bytesFetched, long requests) {
    public boolean found() {
      return !spans.isEmpty();
    }
  }

  /**
   * @param fromEpochNanos start of the range the trace started in (epoch nanoseconds); late
   *     fragments are found when the range covers their start too
   * @param toEpochNanos end of the range, inclusive
   * @throws IOException if S3 cannot be read or a file is not valid Parquet
   * @throws IllegalArgumentException if from is after to or the range exceeds 366 days
   */
  public ColdTrace find(String tenant, TraceId traceId, long fromEpochNanos, long toEpochNanos)
      throws IOException {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(traceId, "traceId");
    LongAdder fetched = new LongAdder();
    LongAdder requests = new LongAdder();
    Map<Long, Span> bySpanId = new LinkedHashMap<>();
    boolean truncated = false;
    int files = 0;
    FilterCompat.Filter filter =
        FilterCompat.get(
            FilterApi.eq(FilterApi.binaryColumn("trace_id"), Binary.fromString(traceId.toHex())));
    PlainParquetConfiguration conf = new PlainParquetConfiguration();
    conf.set(AvroReadSupport.AVRO_REQUESTED_PROJECTION, PROJECTION.toString());
    for (String folder : layout.hourFolders(tenant, fromEpochNanos, toEpochNanos)) {
      for (S3Object object :
          s3.listObjectsV2Paginator(l -> l.bucket(bucket).prefix(folder)).contents()) {
        if (layout.parse(object.key()).isEmpty()) {
          continue;
        }
        files++;
        S3InputFile file =
            new S3InputFile(s3, bucket, object.key(), object.size(), TAIL_FETCH, fetched, requests);
        try (ParquetReader<GenericRecord> reader =
            AvroParquetReader.<GenericRecord>builder(file)
                .withConf(conf)
                .withFilter(filter)
                .build()) {
          for (GenericRecord row = reader.read(); row != null; row = reader.read()) {
            if (bySpanId.size() >= maxSpans) {
              truncated = true;
              break;
            }
            Span span = SpanRows.span(row);
            bySpanId.putIfAbsent(span.spanId().value(), span);
          }
        }
      }
    }
    List<Span> spans = new ArrayList<>(bySpanId.values());
    spans.sort(Comparator.comparingLong(Span::startEpochNanos));
    return new ColdTrace(spans, truncated, files, fetched.sum(), requests.sum());
  }
}
