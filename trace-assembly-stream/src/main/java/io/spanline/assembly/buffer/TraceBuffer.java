package io.spanline.assembly.buffer;

import io.spanline.assembly.config.AssemblyConfig;
import io.spanline.assembly.metrics.AssemblyMetrics;
import io.spanline.schemas.codec.otlp.TracePart;
import io.spanline.schemas.model.TraceId;
import io.spanline.service.tenancy.TenantLimitsFile;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * Supplies the trace buffer processor (one per task) with its stores ({@link TraceBufferStores}).
 * Input: records keyed by trace ID holding spans of that trace; output: Avro binary of {@code
 * AssembledTrace} keyed by trace ID, for {@code SpanlineTopics.assembledTracesEncoded()}.
 */
public final class TraceBuffer implements ProcessorSupplier<TraceId, TracePart, TraceId, byte[]> {
  private final AssemblyConfig config;
  private final AssemblyMetrics metrics;
  private final InputLag inputLag;
  private final OpenTraceBounds bounds;
  private final TenantBounds tenantBounds;
  private final TraceShedder shedder;

  /** Without a tenant-limits file. */
  public TraceBuffer(AssemblyConfig config, AssemblyMetrics metrics, InputLag inputLag) {
    this(config, metrics, inputLag, () -> TenantLimitsFile.EMPTY);
  }

  /**
   * @param tenantLimits the tenant-limits file in force: per-tenant bounds on open traces and
   *     buffered bytes, and per-trace span and byte bounds ({@link TenantBounds})
   */
  public TraceBuffer(
      AssemblyConfig config,
      AssemblyMetrics metrics,
      InputLag inputLag,
      Supplier<TenantLimitsFile> tenantLimits) {
    this.config = config;
    this.metrics = metrics;
    this.inputLag = inputLag;
    this.bounds = new OpenTraceBounds(config.maxOpenTraces(), config.maxOpenBytes(), metrics);
    this.tenantBounds = new TenantBounds(tenantLimits, bounds.tasks());
    this.shedder = new TraceShedder(config.shedding(), bounds, tenantBounds);
    metrics.shedding(shedder::instanceLevel, shedder::describe);
  }

  @Override
  public Processor<TraceId, TracePart, TraceId, byte[]> get() {
    return new TraceBufferProcessor(config, metrics, inputLag, bounds, tenantBounds, shedder);
  }

  @Override
  public Set<StoreBuilder<?>> stores() {
    return TraceBufferStores.builders(config);
  }
}
