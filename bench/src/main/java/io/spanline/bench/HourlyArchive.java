package io.spanline.bench;

import io.spanline.schemas.codec.otlp.OtlpProtoCodec;
import io.spanline.schemas.codec.otlp.TracePart;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.DecisionOutcome;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.model.SamplingDecision;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.TraceId;
import io.spanline.storage.archive.ArchiveLayout;
import io.spanline.storage.archive.ArchiveWriter;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a bench's archive as the archive sink would, hour by hour: {@code days} × 24 hours of one
 * tenant ending an hour before {@code now}, each hour as {@code rollsPerHour} sink files of the
 * {@link Workload}'s traces (kept by policy {@code baseline}), each file {@code requestsPerRoll}
 * export requests.
 */
final class HourlyArchive {
  private HourlyArchive() {}

  /**
   * What was written.
   *
   * @param oldest the first trace of the first file
   * @param newest the first trace of the last file
   * @param seconds wall time of the writing
   */
  record Written(long traces, long spans, TraceId oldest, TraceId newest, double seconds) {}

  static Written write(
      ArchiveWriter writer,
      String tenant,
      Instant now,
      int days,
      int rollsPerHour,
      int requestsPerRoll)
      throws Exception {
    LocalDateTime firstHour =
        LocalDateTime.ofInstant(now, ZoneOffset.UTC).minusDays(days).plusHours(1);
    int hours = days * 24;
    long spans = 0;
    long traces = 0;
    long offset = 0;
    TraceId oldest = null;
    TraceId newest = null;
    long start = System.nanoTime();
    for (int h = 0; h < hours; h++) {
      LocalDateTime hour = firstHour.plusHours(h);
      long base = hour.toEpochSecond(ZoneOffset.UTC) * 1_000_000_000L + 60_000_000_000L;
      for (int roll = 0; roll < rollsPerHour; roll++) {
        Map<TraceId, List<Span>> byTrace = new LinkedHashMap<>();
        for (Workload.Request r :
            Workload.requests(requestsPerRoll, 1L + (long) h * rollsPerHour + roll, base)) {
          for (TracePart part : r.records()) {
            byTrace
                .computeIfAbsent(part.traceId(), k -> new ArrayList<>())
                .addAll(OtlpProtoCodec.decode(part.tracesData()));
          }
        }
        List<Kept> batch = new ArrayList<>();
        for (Map.Entry<TraceId, List<Span>> e : byTrace.entrySet()) {
          AssembledTrace t = AssembledTrace.of(tenant, e.getKey(), 0, e.getValue());
          batch.add(
              new Kept(
                  new SampledTrace(
                      t,
                      new SamplingDecision(
                          tenant, e.getKey(), DecisionOutcome.KEEP, List.of("baseline"), 1, 0L)),
                  ArchiveLayout.hourOf(t.summary().startEpochNanos())));
          spans += e.getValue().size();
        }
        traces += batch.size();
        writer.write(roll, offset, offset + batch.size() - 1, batch, (b, r, t) -> {});
        offset += batch.size();
        TraceId first = byTrace.keySet().iterator().next();
        if (oldest == null) {
          oldest = first;
        }
        newest = first;
      }
    }
    return new Written(traces, spans, oldest, newest, (System.nanoTime() - start) / 1e9);
  }

  private record Kept(SampledTrace trace, LocalDateTime hour) implements ArchiveWriter.Entry {
    @Override
    public String traceId() {
      return trace.trace().traceId().toHex();
    }

    @Override
    public String tenant() {
      return trace.trace().tenant();
    }

    @Override
    public SampledTrace read() {
      return trace;
    }
  }
}
