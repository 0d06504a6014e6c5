package io.spanline.assembly.buffer;

import io.spanline.assembly.config.AssemblyConfig;
import io.spanline.assembly.metrics.AssemblyMetrics;
import io.spanline.schemas.codec.otlp.OtlpAvroTranscoder;
import io.spanline.schemas.codec.otlp.SpanRejection;
import io.spanline.schemas.codec.otlp.TracePart;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.topic.SpanlineHeaders;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buffers the spans of each (tenant, trace ID) and emits the trace when it closes.
 *
 * <p>Input: records keyed by trace ID whose value holds spans of that one trace, tenant in header
 * {@value SpanlineHeaders#TENANT}. Each record is appended to {@value TraceBufferStores#BUFFER} as
 * one chunk (its OTLP bytes as they are) beside a fixed-size {@link BufferedTrace}; the cost of a
 * record is its own size, whatever the trace holds already.
 *
 * <p>Time: a span's arrival is its record's timestamp (when the gateway wrote it), never later than
 * the wall clock. A trace is idle when no span arrived for {@code trace.idle.timeout.ms}, and too
 * old when {@code trace.max.duration.ms} passed since its first span arrived; so where the
 * fragments of a trace begin and end depends on arrival times only, not on when the stream got to
 * the records (a replay, a restart, a lagging instance cut traces the same way).
 *
 * <p>Closing: a wall-clock punctuation every {@code punctuation.interval.ms} reads the close index
 * ({@value TraceBufferStores#CLOSE_INDEX}, ordered by due time) up to the task's clock (see {@link
 * #clock}) and closes the traces due; an entry whose trace got spans since it was written is moved
 * to the new due time. A record arriving after its trace became due, or that would take it past
 * {@code trace.max.spans} or {@code trace.max.bytes}, first closes what is buffered; a trace that
 * reaches either limit closes at once. Past {@code trace.max.open} open traces on the instance, the
 * traces due soonest close early ({@link ClosureReason#OVERLOAD}).
 *
 * <p>Output: Avro {@code AssembledTrace} (binary, unframed; {@link OtlpAvroTranscoder} writes it
 * from the chunks without building model objects) of fragment 0, or n for the n-th late fragment,
 * spans ordered by start time, each span ID once. A closed trace is remembered in {@value
 * TraceBufferStores#CLOSED} for {@code trace.closed.ttl.ms}: a span arriving meanwhile opens a late
 * fragment, and spans already emitted are not emitted again.
 */
final class TraceBufferProcessor implements Processor<TraceId, TracePart, TraceId, byte[]> {
  private static final Logger LOG = LoggerFactory.getLogger(TraceBufferProcessor.class);
  private static final byte[] EMPTY = new byte[0];

  private final AssemblyConfig config;
  private final AssemblyMetrics metrics;
  private final InputLag inputLag;
  private final long idleMillis;
  private final long maxDurationMillis;

  private ProcessorContext<TraceId, byte[]> context;
  private KeyValueStore<Bytes, byte[]> buffer;
  private KeyValueStore<Bytes, byte[]> closeIndex;
  private KeyValueStore<Bytes, byte[]> closed;
  private KeyValueStore<Bytes, byte[]> expiryIndex;
  private long taskOpenTraces;
  private long taskBufferedBytes;
  private long latestArrival = Long.MIN_VALUE;
  private long lastRecordWallMillis = Long.MIN_VALUE;

  TraceBufferProcessor(AssemblyConfig config, AssemblyMetrics metrics, InputLag inputLag) {
    this.config = config;
    this.metrics = metrics;
    this.inputLag = inputLag;
    this.idleMillis = config.idleTimeout().toMillis();
    this.maxDurationMillis = config.maxDuration().toMillis();
  }

  @Override
  public void init(ProcessorContext<TraceId, byte[]> context) {
    this.context = context;
    this.buffer = context.getStateStore(TraceBufferStores.BUFFER);
    this.closeIndex = context.getStateStore(TraceBufferStores.CLOSE_INDEX);
    this.closed = context.getStateStore(TraceBufferStores.CLOSED);
    this.expiryIndex = context.getStateStore(TraceBufferStores.CLOSED_EXPIRY);
    try (KeyValueIterator<Bytes, byte[]> it = closeIndex.all()) {
      while (it.hasNext()) {
        byte[] stored = buffer.get(StoreKeys.meta(StoreKeys.traceKeyOf(it.next().key)));
        if (stored != null) {
          BufferedTrace meta = BufferedTrace.decode(stored);
          taskOpenTraces++;
          taskBufferedBytes += meta.bytes();
          latestArrival = Math.max(latestArrival, meta.lastSeenMillis());
        }
      }
    }
    // A task taken over (after a restart or a rebalance) resumes its clock where its input left
    // off, so the time it was not running does not close its traces before its backlog is read.
    lastRecordWallMillis =
        latestArrival == Long.MIN_VALUE ? Long.MIN_VALUE : context.currentSystemTimeMs();
    metrics.opened(taskOpenTraces, taskBufferedBytes);
    context.schedule(
        config.punctuationInterval(), PunctuationType.WALL_CLOCK_TIME, this::punctuate);
  }

  @Override
  public void process(Record<TraceId, TracePart> record) {
    TraceId traceId = record.key();
    TracePart part = record.value();
    String tenant = tenantOf(record.headers());
    long now = context.currentSystemTimeMs();
    long arrival = arrivalOf(record.timestamp(), now);
    latestArrival = Math.max(latestArrival, arrival);
    lastRecordWallMillis = now;
    byte[] traceKey = StoreKeys.trace(tenant, traceId);
    Bytes metaKey = StoreKeys.meta(traceKey);
    byte[] stored = buffer.get(metaKey);
    BufferedTrace meta = stored == null ? null : BufferedTrace.decode(stored);
    if (meta != null && meta.spans() > 0) {
      if (arrival >= meta.lastSeenMillis() + idleMillis) {
        close(traceKey, meta, ClosureReason.IDLE, now);
        meta = null;
      } else if (arrival >= meta.firstSeenMillis() + maxDurationMillis) {
        close(traceKey, meta, ClosureReason.MAX_DURATION, now);
        meta = null;
      } else if (meta.spans() + part.spanCount() > config.maxSpans()) {
        close(traceKey, meta, ClosureReason.MAX_SPANS, now);
        meta = null;
      } else if (meta.bytes() + part.sizeBytes() > config.maxBytes()) {
        close(traceKey, meta, ClosureReason.MAX_BYTES, now);
        meta = null;
      }
    }
    boolean opened = meta == null;
    if (opened) {
      byte[] closedBefore = closed.get(Bytes.wrap(traceKey));
      int fragment = closedBefore == null ? 0 : ClosedTrace.decode(closedBefore).nextFragment();
      long due = arrival + Math.min(idleMillis, maxDurationMillis);
      meta = BufferedTrace.open(arrival, fragment, due);
      closeIndex.put(StoreKeys.indexed(due, traceKey), EMPTY);
      taskOpenTraces++;
      metrics.opened(1, 0);
    }
    buffer.put(StoreKeys.chunk(traceKey, meta.chunks()), part.tracesData());
    meta = meta.append(arrival, part.spanCount(), part.sizeBytes());
    taskBufferedBytes += part.sizeBytes();
    metrics.buffered(part.spanCount(), part.sizeBytes());
    if (meta.spans() >= config.maxSpans()) {
      close(traceKey, meta, ClosureReason.MAX_SPANS, now);
    } else if (meta.bytes() >= config.maxBytes()) {
      close(traceKey, meta, ClosureReason.MAX_BYTES, now);
    } else {
      buffer.put(metaKey, meta.encode());
      if (opened) {
        enforceOpenBound(traceKey, now);
      }
    }
  }

  /** Closes the traces due soonest while the instance holds more than {@code trace.max.open}. */
  private void enforceOpenBound(byte[] keep, long now) {
    while (metrics.openTraces() > config.maxOpenTraces() && taskOpenTraces > 1) {
      Bytes oldest = null;
      try (KeyValueIterator<Bytes, byte[]> it = closeIndex.all()) {
        while (it.hasNext() && oldest == null) {
          Bytes key = it.next().key;
          if (!Arrays.equals(StoreKeys.traceKeyOf(key), keep)) {
            oldest = key;
          }
        }
      }
      if (oldest == null) {
        return;
      }
      byte[] traceKey = StoreKeys.traceKeyOf(oldest);
      byte[] meta = buffer.get(StoreKeys.meta(traceKey));
      if (meta == null) {
        closeIndex.delete(oldest);
      } else {
        close(traceKey, BufferedTrace.decode(meta), ClosureReason.OVERLOAD, now);
      }
    }
  }

  /**
   * When a record arrived: its Kafka timestamp (the gateway's write time), never later than now.
   * Records without a timestamp arrived now.
   */
  private static long arrivalOf(long recordTimestamp, long now) {
    return recordTimestamp < 0 ? now : Math.min(recordTimestamp, now);
  }

  /**
   * The clock that idleness and age are measured against. While the task reads records, or has
   * unread input ({@link InputLag}), it is the arrival time of the latest record read: a task
   * catching up on a backlog, or stalled (a rebalance, a long commit), sees time pass only as fast
   * as its input did, so a trace whose spans wait in the backlog is not closed as idle. Once the
   * task has read nothing for the idle timeout and has no unread input, it is the wall clock, so an
   * idle partition still flushes.
   */
  private long clock(long wallNow) {
    if (lastRecordWallMillis == Long.MIN_VALUE) {
      return wallNow;
    }
    if (wallNow - lastRecordWallMillis < idleMillis || inputLag.behind(context.taskId())) {
      return Math.min(wallNow, latestArrival);
    }
    return wallNow;
  }

  private void punctuate(long wallNow) {
    long now = clock(wallNow);
    for (Bytes key : dueKeys(closeIndex, now)) {
      byte[] traceKey = StoreKeys.traceKeyOf(key);
      Bytes metaKey = StoreKeys.meta(traceKey);
      byte[] stored = buffer.get(metaKey);
      BufferedTrace meta = stored == null ? null : BufferedTrace.decode(stored);
      if (meta == null || meta.dueMillis() != StoreKeys.dueOf(key)) {
        closeIndex.delete(key);
        continue;
      }
      long idleDue = meta.lastSeenMillis() + idleMillis;
      long ageDue = meta.firstSeenMillis() + maxDurationMillis;
      long due = Math.min(idleDue, ageDue);
      if (due > now) {
        closeIndex.delete(key);
        closeIndex.put(StoreKeys.indexed(due, traceKey), EMPTY);
        buffer.put(metaKey, meta.dueAt(due).encode());
      } else {
        close(
            traceKey,
            meta,
            idleDue <= ageDue ? ClosureReason.IDLE : ClosureReason.MAX_DURATION,
            now);
      }
    }
    for (Bytes key : dueKeys(expiryIndex, now)) {
      Bytes traceKey = Bytes.wrap(StoreKeys.traceKeyOf(key));
      byte[] stored = closed.get(traceKey);
      if (stored != null && ClosedTrace.decode(stored).expiresMillis() <= now) {
        closed.delete(traceKey);
      }
      expiryIndex.delete(key);
    }
  }

  private static List<Bytes> dueKeys(KeyValueStore<Bytes, byte[]> index, long now) {
    List<Bytes> due = new ArrayList<>();
    try (KeyValueIterator<Bytes, byte[]> it = index.range(null, StoreKeys.indexedAfter(now))) {
      while (it.hasNext()) {
        Bytes key = it.next().key;
        if (StoreKeys.dueOf(key) <= now) {
          due.add(key);
        }
      }
    }
    return due;
  }

  private void close(byte[] traceKey, BufferedTrace meta, ClosureReason reason, long now) {
    String tenant = StoreKeys.tenantOf(traceKey);
    TraceId traceId = StoreKeys.traceIdOf(traceKey);
    List<byte[]> chunks = new ArrayList<>(meta.chunks());
    List<Bytes> chunkKeys = new ArrayList<>(meta.chunks());
    try (KeyValueIterator<Bytes, byte[]> it =
        buffer.range(StoreKeys.chunk(traceKey, 0), StoreKeys.chunk(traceKey, Integer.MAX_VALUE))) {
      while (it.hasNext()) {
        var entry = it.next();
        chunkKeys.add(entry.key);
        chunks.add(entry.value);
      }
    }
    for (Bytes key : chunkKeys) {
      buffer.delete(key);
    }
    buffer.delete(StoreKeys.meta(traceKey));
    closeIndex.delete(StoreKeys.indexed(meta.dueMillis(), traceKey));
    taskOpenTraces--;
    taskBufferedBytes -= meta.bytes();
    metrics.released(1, meta.bytes());

    Bytes closedKey = Bytes.wrap(traceKey);
    byte[] closedBefore = closed.get(closedKey);
    ClosedTrace history =
        closedBefore == null ? ClosedTrace.none() : ClosedTrace.decode(closedBefore);
    OtlpAvroTranscoder.Result result =
        OtlpAvroTranscoder.assemble(tenant, traceId, meta.fragment(), chunks, history::emitted);
    for (SpanRejection r : result.rejections()) {
      metrics.rejected(r.reason() + "_at_close", 1);
      LOG.warn("Spans of trace {} left out at close: {}", traceId, r.detail());
    }
    if (result.duplicates() > 0) {
      metrics.duplicates(result.duplicates());
    }
    int nextFragment = meta.fragment();
    if (result.avroBinary() == null) {
      metrics.closedEmpty(reason);
    } else {
      Headers headers = new RecordHeaders();
      headers.add(SpanlineHeaders.TENANT, tenant.getBytes(StandardCharsets.UTF_8));
      context.forward(new Record<>(traceId, result.avroBinary(), now, headers));
      nextFragment = meta.fragment() + 1;
      metrics.closed(reason, meta.fragment(), result.spanCount(), now - meta.firstSeenMillis());
    }
    if (closedBefore != null) {
      expiryIndex.delete(StoreKeys.indexed(history.expiresMillis(), traceKey));
    }
    long expires = now + config.closedTtl().toMillis();
    closed.put(closedKey, history.next(expires, nextFragment, result.spanIds()).encode());
    expiryIndex.put(StoreKeys.indexed(expires, traceKey), EMPTY);
  }

  private static String tenantOf(Headers headers) {
    Header h = headers.lastHeader(SpanlineHeaders.TENANT);
    if (h == null || h.value() == null || h.value().length == 0) {
      return SpanlineHeaders.DEFAULT_TENANT;
    }
    return new String(h.value(), StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    metrics.released(taskOpenTraces, taskBufferedBytes);
    taskOpenTraces = 0;
    taskBufferedBytes = 0;
  }
}
