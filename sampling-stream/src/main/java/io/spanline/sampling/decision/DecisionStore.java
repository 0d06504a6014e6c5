package io.spanline.sampling.decision;

import io.spanline.schemas.model.TraceId;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Decisions by (tenant, trace ID), kept for {@code decision.ttl} of record time in the persistent,
 * changelogged window store {@value #NAME}: retention drops whole segments, so expiry costs no scan
 * and no per-entry delete. Key: tenant (UTF-8), a NUL byte, the 16 trace ID bytes; value: Avro
 * {@code SamplingDecision} binary; window start: the record time of the decided trace.
 */
public final class DecisionStore {
  /** Store name. */
  public static final String NAME = "decisions";

  private final WindowStore<Bytes, byte[]> store;
  private final long ttlMs;

  public DecisionStore(WindowStore<Bytes, byte[]> store, long ttlMs) {
    this.store = store;
    this.ttlMs = ttlMs;
  }

  static Bytes key(String tenant, TraceId traceId) {
    byte[] t = tenant.getBytes(StandardCharsets.UTF_8);
    byte[] k = new byte[t.length + 1 + TraceId.BYTES];
    System.arraycopy(t, 0, k, 0, t.length);
    System.arraycopy(traceId.toBytes(), 0, k, t.length + 1, TraceId.BYTES);
    return Bytes.wrap(k);
  }

  /**
   * Remembers a decision made for a record with timestamp {@code recordTimeMs}.
   *
   * @param avro the decision's Avro binary ({@code AvroRecordCodec.SAMPLING_DECISION})
   */
  public void put(String tenant, TraceId traceId, byte[] avro, long recordTimeMs) {
    store.put(key(tenant, traceId), avro, recordTimeMs);
  }

  /**
   * The latest decision for the trace made within {@code decision.ttl} before (or after, for
   * records read out of order) {@code recordTimeMs}, as the Avro binary it was stored as.
   */
  public Optional<byte[]> find(String tenant, TraceId traceId, long recordTimeMs) {
    long from = Math.max(0, recordTimeMs - ttlMs);
    long to = recordTimeMs > Long.MAX_VALUE - ttlMs ? Long.MAX_VALUE : recordTimeMs + ttlMs;
    byte[] latest = null;
    try (WindowStoreIterator<byte[]> it = store.fetch(key(tenant, traceId), from, to)) {
      while (it.hasNext()) {
        latest = it.next().value;
      }
    }
    return Optional.ofNullable(latest);
  }
}
