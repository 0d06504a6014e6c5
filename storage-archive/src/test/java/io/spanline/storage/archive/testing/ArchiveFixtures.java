package io.spanline.storage.archive.testing;

import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.DecisionOutcome;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.model.SamplingDecision;
import io.spanline.storage.archive.ArchiveLayout;
import io.spanline.storage.archive.ArchiveWriter;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.LocalInputFile;

/** Test fixtures of the archive: kept traces to write, and the rows of a written file. */
public final class ArchiveFixtures {
  private ArchiveFixtures() {}

  /** One kept trace of a batch, as the archive sink files it: under its start hour. */
  public record Kept(SampledTrace trace) implements ArchiveWriter.Entry {
    @Override
    public String traceId() {
      return trace.trace().traceId().toHex();
    }

    @Override
    public String tenant() {
      return trace.trace().tenant();
    }

    @Override
    public LocalDateTime hour() {
      return ArchiveLayout.hourOf(trace.trace().summary().startEpochNanos());
    }

    @Override
    public SampledTrace read() {
      return trace;
    }
  }

  /** A kept trace as the sampling stream writes it (kept by {@code policies}, 25 % share). */
  public static SampledTrace kept(AssembledTrace trace, String... policies) {
    return new SampledTrace(
        trace,
        new SamplingDecision(
            trace.tenant(), trace.traceId(), DecisionOutcome.KEEP, List.of(policies), 0.25, 1L));
  }

  /** Every row of one local Parquet file, in file order. */
  public static List<GenericRecord> rows(Path file) throws Exception {
    List<GenericRecord> rows = new ArrayList<>();
    try (ParquetReader<GenericRecord> reader =
        AvroParquetReader.<GenericRecord>builder(new LocalInputFile(file))
            .withConf(new PlainParquetConfiguration())
            .build()) {
      for (GenericRecord r = reader.read(); r != null; r = reader.read()) {
        rows.add(r);
      }
    }
    return rows;
  }
}
