package io.spanline.storage.archive.internal.parquet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.avro.AvroWriteSupport;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;

/**
 * Writes archive rows to a local Parquet file: ZSTD, a bloom filter on {@code trace_id} sized for
 * the file's distinct trace IDs, no dictionary for the (unique-ish) ID columns, standard
 * three-level lists and maps, row groups and pages small enough that a trace-by-ID read fetches
 * little: with rows sorted by trace ID, each row group's and page's min/max trace ID (statistics
 * and column index) and the row group's bloom filter let a reader skip everything but the pages
 * holding the trace.
 */
public final class ParquetTraceWriter {
  private final long rowGroupBytes;
  private final int pageBytes;

  /**
   * @param rowGroupBytes target row group size (uncompressed, as Parquet measures it)
   * @param pageBytes target page size
   */
  public ParquetTraceWriter(long rowGroupBytes, int pageBytes) {
    this.rowGroupBytes = rowGroupBytes;
    this.pageBytes = pageBytes;
  }

  /** One open file; rows go in {@link SpanRows#ORDER}. */
  public interface FileWriter extends AutoCloseable {
    void write(GenericRecord row) throws IOException;

    /** Bytes written so far plus those buffered for the open row group, as Parquet estimates. */
    long dataSize();

    @Override
    void close() throws IOException;
  }

  /**
   * Opens {@code file} for writing, replacing it.
   *
   * @param distinctTraces distinct trace IDs the file will hold, to size the bloom filter
   * @throws IOException if the file cannot be created
   */
  public FileWriter open(Path file, long distinctTraces) throws IOException {
    PlainParquetConfiguration conf = new PlainParquetConfiguration();
    conf.setBoolean(AvroWriteSupport.WRITE_OLD_LIST_STRUCTURE, false);
    ParquetWriter<GenericRecord> writer =
        AvroParquetWriter.<GenericRecord>builder(new LocalOutputFile(file))
            .withSchema(SpanRows.SCHEMA)
            .withConf(conf)
            .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
            .withCompressionCodec(CompressionCodecName.ZSTD)
            .withRowGroupSize(rowGroupBytes)
            .withPageSize(pageBytes)
            .withDictionaryEncoding("trace_id", false)
            .withDictionaryEncoding("span_id", false)
            .withDictionaryEncoding("parent_span_id", false)
            .withDictionaryEncoding("otlp", false)
            .withBloomFilterEnabled("trace_id", true)
            .withBloomFilterNDV("trace_id", Math.max(1, distinctTraces))
            .build();
    return new FileWriter() {
      @Override
      public void write(GenericRecord row) throws IOException {
        writer.write(row);
      }

      @Override
      public long dataSize() {
        return writer.getDataSize();
      }

      @Override
      public void close() throws IOException {
        writer.close();
      }
    };
  }

  /**
   * Writes {@code rows} (already in {@link SpanRows#ORDER}) to {@code file}, replacing it.
   *
   * @return the file's size in bytes
   * @throws IOException if the file cannot be written
   */
  public long write(List<GenericRecord> rows, long distinctTraces, Path file) throws IOException {
    try (FileWriter w = open(file, distinctTraces)) {
      for (GenericRecord r : rows) {
        w.write(r);
      }
    }
    return Files.size(file);
  }
}
