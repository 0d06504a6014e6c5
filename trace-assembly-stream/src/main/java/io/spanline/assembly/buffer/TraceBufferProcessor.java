package io.spanline.assembly.buffer;

import io.spanline.assembly.config.AssemblyConfig;
import io.spanline.assembly.metrics.AssemblyMetrics;
import io.spanline.schemas.codec.MalformedOtlpException;
import io.spanline.schemas.codec.otlp.OtlpAvroTranscoder;
import io.spanline.schemas.codec.otlp.OtlpTraceFlags;
import io.spanline.schemas.codec.otlp.SpanRejection;
import io.spanline.schemas.codec.otlp.TracePart;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.model.TraceShedding;
import io.spanline.schemas.topic.SpanlineHeaders;
import io.spanline.service.logging.LogContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
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
 * one chunk (its OTLP bytes as they are, its arrival, span count and fragment in the key): one
 * store write and one changelog record per input record, whatever the trace holds already. The
 * per-trace counters ({@link BufferedTrace}) and the index of open traces by due time live in
 * memory (bounded by {@code trace.max.open}) and are rebuilt from the chunk keys when the task
 * starts.
 *
 * <p>Time: a span's arrival is its record's timestamp (when the gateway wrote it), never later than
 * the wall clock. A trace is idle when no span arrived for {@code trace.idle.timeout.ms}, and too
 * old when {@code trace.max.duration.ms} passed since its first span arrived; so where the
 * fragments of a trace begin and end depends on arrival times only, not on when the stream got to
 * the records (a replay, a restart, a lagging instance cut traces the same way).
 *
 * <p>Closing: a wall-clock punctuation every {@code punctuation.interval.ms} takes the open traces
 * due by the task's clock (see {@link #clock}) from the in-memory index ordered by due time and
 * closes them, at most {@code punctuation.max.closes} at a time; an entry whose trace got spans
 * since it was indexed is moved to its new due time. A record arriving after its trace became due,
 * or that would take it past {@code trace.max.spans} or {@code trace.max.bytes}, first closes what
 * is buffered; a trace that reaches either limit closes at once. Past {@code trace.max.open} open
 * traces or {@code trace.max.open.bytes} buffered bytes on the instance, a task over its fair share
 * closes its traces due soonest early ({@link ClosureReason#OVERLOAD}, {@link OpenTraceBounds}).
 * Likewise per tenant, with the tenant-limits file's {@code max-open-traces} and {@code
 * max-buffered-bytes} ({@link ClosureReason#TENANT_LIMIT}, {@link TenantBounds}); its {@code
 * max-spans-per-trace} and {@code max-bytes-per-trace} lower the trace limits for a tenant.
 *
 * <p>Output: Avro {@code AssembledTrace} (binary, unframed; {@link OtlpAvroTranscoder} writes it
 * from the chunks without building model objects) of fragment 0, or n for the n-th late fragment,
 * spans ordered by start time, each span ID once, timestamped with the task's clock at close. A
 * trace larger than {@code trace.max.record.bytes} as Avro is emitted as consecutive fragments
 * ({@link OversizedTrace}). A closed trace is remembered in {@value TraceBufferStores#CLOSED} for
 * {@code trace.closed.ttl.ms}: a span arriving meanwhile opens a late fragment, and spans already
 * emitted are not emitted again.
 */
final class TraceBufferProcessor implements Processor<TraceId, TracePart, TraceId, byte[]> {
  private static final Logger LOG = LoggerFactory.getLogger(TraceBufferProcessor.class);

  /** A trace's place in an in-memory index by time: open traces by due time, closed by expiry. */
  private record Due(long millis, Bytes traceKey) {}

  private static final long[] NONE = new long[2];

  private static final Comparator<Due> BY_DUE =
      Comparator.comparingLong(Due::millis).thenComparing(Due::traceKey);

  private final AssemblyConfig config;
  private final AssemblyMetrics metrics;
  private final InputLag inputLag;
  private final OpenTraceBounds bounds;
  private final TenantBounds tenantBounds;
  private final TraceShedder shedder;

  /** The shedding levels this task holds: the instance's, and each tenant's above 0. */
  private final HeldLevel instanceLevel = new HeldLevel();

  private final Map<String, HeldLevel> tenantLevels = new HashMap<>();

  /** This task's open traces and buffered bytes by tenant: {traces, bytes}. */
  private final Map<String, long[]> taskByTenant = new HashMap<>();

  private final long idleMillis;
  private final long maxDurationMillis;
  private final Map<Bytes, BufferedTrace> open = new HashMap<>();
  private final TreeSet<Due> dueIndex = new TreeSet<>(BY_DUE);
  private final TreeSet<Due> expiries = new TreeSet<>(BY_DUE);

  private ProcessorContext<TraceId, byte[]> context;
  private KeyValueStore<Bytes, byte[]> buffer;
  private KeyValueStore<Bytes, byte[]> closed;
  private long taskBufferedBytes;
  private long latestArrival = Long.MIN_VALUE;
  private long lastRecordWallMillis = Long.MIN_VALUE;

  TraceBufferProcessor(
      AssemblyConfig config,
      AssemblyMetrics metrics,
      InputLag inputLag,
      OpenTraceBounds bounds,
      TenantBounds tenantBounds,
      TraceShedder shedder) {
    this.tenantBounds = tenantBounds;
    this.shedder = shedder;
    this.config = config;
    this.metrics = metrics;
    this.inputLag = inputLag;
    this.bounds = bounds;
    this.idleMillis = config.idleTimeout().toMillis();
    this.maxDurationMillis = config.maxDuration().toMillis();
  }

  @Override
  public void init(ProcessorContext<TraceId, byte[]> context) {
    this.context = context;
    bounds.taskStarted();
    this.buffer = context.getStateStore(TraceBufferStores.BUFFER);
    this.closed = context.getStateStore(TraceBufferStores.CLOSED);
    try (KeyValueIterator<Bytes, byte[]> it = closed.all()) {
      while (it.hasNext()) {
        var entry = it.next();
        expiries.add(new Due(ClosedTrace.expiresOf(entry.value), entry.key));
      }
    }
    // Rebuild the open traces from the chunk keys (the store was restored from its changelog).
    try (KeyValueIterator<Bytes, byte[]> it = buffer.all()) {
      while (it.hasNext()) {
        var entry = it.next();
        StoreKeys.Chunk chunk = StoreKeys.chunkOf(entry.key);
        Bytes traceKey = Bytes.wrap(chunk.traceKey());
        BufferedTrace meta = open.get(traceKey);
        if (meta == null) {
          meta = BufferedTrace.open(chunk.arrivalMillis(), chunk.fragment(), 0);
        }
        open.put(
            traceKey,
            meta.restore(chunk.number(), chunk.arrivalMillis(), chunk.spans(), entry.value.length));
        taskBufferedBytes += entry.value.length;
        latestArrival = Math.max(latestArrival, chunk.arrivalMillis());
      }
    }
    for (Map.Entry<Bytes, BufferedTrace> e : open.entrySet()) {
      BufferedTrace meta = e.getValue();
      countTenant(StoreKeys.tenantOf(e.getKey().get()), 1, meta.bytes());
      long due = dueOf(meta);
      e.setValue(meta.dueAt(due));
      dueIndex.add(new Due(due, e.getKey()));
    }
    // A task taken over (after a restart or a rebalance) resumes its clock where its input left
    // off, so the time it was not running does not close its traces before its backlog is read.
    lastRecordWallMillis =
        latestArrival == Long.MIN_VALUE ? Long.MIN_VALUE : context.currentSystemTimeMs();
    metrics.opened(open.size(), taskBufferedBytes);
    context.schedule(
        config.punctuationInterval(), PunctuationType.WALL_CLOCK_TIME, this::punctuate);
  }

  private long dueOf(BufferedTrace meta) {
    return Math.min(meta.lastSeenMillis() + idleMillis, meta.firstSeenMillis() + maxDurationMillis);
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
    Bytes key = Bytes.wrap(traceKey);
    BufferedTrace meta = open.get(key);
    int maxSpans = tenantBounds.maxSpans(tenant, config.maxSpans());
    long maxBytes = tenantBounds.maxBytes(tenant, config.maxBytes());
    if (meta != null && meta.spans() > 0) {
      ClosureReason reason = null;
      if (arrival >= meta.lastSeenMillis() + idleMillis) {
        reason = ClosureReason.IDLE;
      } else if (arrival >= meta.firstSeenMillis() + maxDurationMillis) {
        reason = ClosureReason.MAX_DURATION;
      } else if (meta.spans() + part.spanCount() > maxSpans) {
        reason = ClosureReason.MAX_SPANS;
      } else if (meta.bytes() + part.sizeBytes() > maxBytes) {
        reason = ClosureReason.MAX_BYTES;
      }
      if (reason != null) {
        close(key, meta, reason, arrival);
        meta = null;
      }
    }
    byte[] data = part.tracesData();
    boolean opened = meta == null;
    if (opened) {
      int fragment = nextFragment(key, arrival);
      if (fragment == ClosedTrace.SHED) {
        shedLater(key, tenant, part, arrival);
        return;
      }
      if (fragment == 0 && shedder.enabled()) {
        int level = shedLevel(tenant, arrival);
        if (level > 0) {
          OtlpTraceFlags flags = flagsOf(part, tenant);
          boolean ruleKeeps = TraceShedding.keeps(traceId, level);
          if (!flags.exempt()) {
            if (!ruleKeeps) {
              shedNew(key, tenant, part, arrival);
              return;
            }
            data = AdjustedCount.stamp(part, TraceShedding.adjustedCount(level));
          } else if (!ruleKeeps) {
            metrics.shedExempt(tenant, flags.error() ? "error" : "debug");
          }
        }
      }
      long due = arrival + Math.min(idleMillis, maxDurationMillis);
      meta = BufferedTrace.open(arrival, fragment, due);
      dueIndex.add(new Due(due, key));
      metrics.opened(1, 0);
      countTenant(tenant, 1, 0);
    }
    buffer.put(
        StoreKeys.chunk(traceKey, meta.chunks(), arrival, part.spanCount(), meta.fragment()), data);
    meta = meta.append(arrival, part.spanCount(), data.length);
    open.put(key, meta);
    taskBufferedBytes += data.length;
    countTenant(tenant, 0, data.length);
    metrics.buffered(part.spanCount(), data.length);
    if (meta.spans() >= maxSpans) {
      close(key, meta, ClosureReason.MAX_SPANS, arrival);
    } else if (meta.bytes() >= maxBytes) {
      close(key, meta, ClosureReason.MAX_BYTES, arrival);
    } else {
      enforceTenantBounds(tenant, key, arrival);
      enforceOpenBounds(key, arrival);
    }
  }

  /**
   * The shedding level for a new trace of {@code tenant} arriving at {@code arrival}: the larger of
   * the instance's and the tenant's, each as this task holds it ({@link HeldLevel}).
   */
  private int shedLevel(String tenant, long arrival) {
    int instance =
        instanceLevel.next(
            shedder.instanceLevel(open.size(), taskBufferedBytes), arrival, idleMillis);
    long[] mine = taskByTenant.getOrDefault(tenant, NONE);
    int wanted = shedder.tenantLevel(tenant, mine[0], mine[1]);
    HeldLevel held = tenantLevels.get(tenant);
    if (held == null) {
      if (wanted == 0) {
        return instance;
      }
      held = new HeldLevel();
      tenantLevels.put(tenant, held);
    }
    int own = held.next(wanted, arrival, idleMillis);
    if (own == 0) {
      tenantLevels.remove(tenant);
    }
    return Math.max(instance, own);
  }

  /**
   * Sheds the first record of a new trace: remembers the trace as shed in {@value
   * TraceBufferStores#CLOSED} for the idle timeout, so its later spans are shed too.
   */
  private void shedNew(Bytes key, String tenant, TracePart part, long arrival) {
    metrics.shed(tenant, true, part.spanCount(), part.sizeBytes());
    rememberShed(key, arrival, Long.MIN_VALUE);
  }

  /**
   * Sheds a later record of a trace shed before (its memory not expired), and keeps the memory for
   * another idle timeout. An error span in it is lost with it: counted apart.
   */
  private void shedLater(Bytes key, String tenant, TracePart part, long arrival) {
    metrics.shed(tenant, false, part.spanCount(), part.sizeBytes());
    if (flagsOf(part, tenant).error()) {
      metrics.shedLateError(tenant);
    }
    byte[] stored = closed.get(key);
    rememberShed(key, arrival, stored == null ? Long.MIN_VALUE : ClosedTrace.expiresOf(stored));
  }

  private void rememberShed(Bytes key, long arrival, long previousExpiry) {
    long expires = arrival + idleMillis;
    if (expires <= previousExpiry) {
      return;
    }
    if (previousExpiry != Long.MIN_VALUE) {
      expiries.remove(new Due(previousExpiry, key));
    }
    closed.put(key, ClosedTrace.shed(expires).encode());
    expiries.add(new Due(expires, key));
  }

  /**
   * The error and debug flags of a record's spans. A record the scan cannot read (the router let it
   * through, so this should not happen) counts as exempt: it is never shed for being unreadable.
   */
  private OtlpTraceFlags flagsOf(TracePart part, String tenant) {
    try {
      return OtlpTraceFlags.scan(part.tracesData(), shedder.debugAttribute());
    } catch (MalformedOtlpException e) {
      try (LogContext ignored = LogContext.of(tenant, part.traceId().toHex())) {
        LOG.warn(
            "Spans of trace {} could not be scanned for shedding: {}",
            part.traceId(),
            e.getMessage());
      }
      return new OtlpTraceFlags(true, false);
    }
  }

  /**
   * The fragment number of a trace opening now: the next one of a recently closed trace whose
   * memory has not expired by {@code arrival}, {@link ClosedTrace#SHED} for a trace shed whose
   * memory has not expired, else 0.
   */
  private int nextFragment(Bytes traceKey, long arrival) {
    byte[] stored = closed.get(traceKey);
    if (stored == null) {
      return 0;
    }
    ClosedTrace history = ClosedTrace.decode(stored);
    if (history.expiresMillis() <= arrival) {
      closed.delete(traceKey);
      expiries.remove(new Due(history.expiresMillis(), traceKey));
      return 0;
    }
    return history.nextFragment();
  }

  /**
   * Closes this task's traces due soonest, other than {@code keep}, while the instance is over
   * {@code trace.max.open} or {@code trace.max.open.bytes} and this task holds more than its share
   * ({@link OpenTraceBounds}).
   *
   * @param keep the trace just written to, left open; null for none
   */
  private void enforceOpenBounds(Bytes keep, long now) {
    while (!open.isEmpty() && bounds.mustShed(open.size(), taskBufferedBytes)) {
      Due oldest = null;
      for (Due d : dueIndex) {
        if (!d.traceKey().equals(keep)) {
          oldest = d;
          break;
        }
      }
      if (oldest == null) {
        return;
      }
      close(oldest.traceKey(), open.get(oldest.traceKey()), ClosureReason.OVERLOAD, now);
    }
  }

  /**
   * Closes this task's traces of {@code tenant} due soonest, other than {@code keep}, while the
   * tenant is over its {@code max-open-traces} or {@code max-buffered-bytes} on the instance and
   * this task holds more than its share of them ({@link TenantBounds}).
   */
  private void enforceTenantBounds(String tenant, Bytes keep, long now) {
    long[] mine = taskByTenant.get(tenant);
    while (mine != null && mine[0] > 0 && tenantBounds.mustShed(tenant, mine[0], mine[1])) {
      Due oldest = null;
      for (Due d : dueIndex) {
        if (!d.traceKey().equals(keep) && StoreKeys.tenantOf(d.traceKey().get()).equals(tenant)) {
          oldest = d;
          break;
        }
      }
      if (oldest == null) {
        return;
      }
      close(oldest.traceKey(), open.get(oldest.traceKey()), ClosureReason.TENANT_LIMIT, now);
      metrics.tenantLimitClose(tenant);
      mine = taskByTenant.get(tenant);
    }
  }

  /** Counts a tenant's traces and bytes in this task and on the instance. */
  private void countTenant(String tenant, long traces, long bytes) {
    long[] mine = taskByTenant.computeIfAbsent(tenant, t -> new long[2]);
    mine[0] += traces;
    mine[1] += bytes;
    if (mine[0] <= 0 && mine[1] <= 0) {
      taskByTenant.remove(tenant);
    }
    tenantBounds.add(tenant, traces, bytes);
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

  /**
   * Closes what is due, at most {@code punctuation.max.closes} traces, and forgets as many expired
   * closed traces: whatever is left waits for the next punctuation, after Kafka Streams committed
   * this one's transaction.
   */
  private void punctuate(long wallNow) {
    long now = clock(wallNow);
    int budget = config.punctuationMaxCloses();
    while (budget > 0 && !dueIndex.isEmpty() && dueIndex.first().millis() <= now) {
      Due d = dueIndex.pollFirst();
      BufferedTrace meta = open.get(d.traceKey());
      if (meta == null || meta.dueMillis() != d.millis()) {
        continue;
      }
      long idleDue = meta.lastSeenMillis() + idleMillis;
      long ageDue = meta.firstSeenMillis() + maxDurationMillis;
      long due = Math.min(idleDue, ageDue);
      if (due > now) {
        dueIndex.add(new Due(due, d.traceKey()));
        open.put(d.traceKey(), meta.dueAt(due));
      } else {
        close(
            d.traceKey(),
            meta,
            idleDue <= ageDue ? ClosureReason.IDLE : ClosureReason.MAX_DURATION,
            now);
        budget--;
      }
    }
    // a task that receives nothing still gives back its excess when the instance is over a bound
    enforceOpenBounds(null, now);
    int forget = config.punctuationMaxCloses();
    while (forget-- > 0 && !expiries.isEmpty() && expiries.first().millis() <= now) {
      closed.delete(expiries.pollFirst().traceKey());
    }
  }

  /**
   * Emits the buffered spans of a trace and forgets them.
   *
   * @param now the task's clock: the output record's timestamp and the start of the closed TTL
   */
  private void close(Bytes key, BufferedTrace meta, ClosureReason reason, long now) {
    byte[] traceKey = key.get();
    String tenant = StoreKeys.tenantOf(traceKey);
    TraceId traceId = StoreKeys.traceIdOf(traceKey);
    List<byte[]> chunks = new ArrayList<>(meta.chunks());
    List<Bytes> chunkKeys = new ArrayList<>(meta.chunks());
    try (KeyValueIterator<Bytes, byte[]> it =
        buffer.range(StoreKeys.chunksFrom(traceKey), StoreKeys.chunksTo(traceKey))) {
      while (it.hasNext()) {
        var entry = it.next();
        chunkKeys.add(entry.key);
        chunks.add(entry.value);
      }
    }
    for (Bytes chunkKey : chunkKeys) {
      buffer.delete(chunkKey);
    }
    open.remove(key);
    dueIndex.remove(new Due(meta.dueMillis(), key));
    taskBufferedBytes -= meta.bytes();
    metrics.released(1, meta.bytes());
    countTenant(tenant, -1, -meta.bytes());

    byte[] closedBefore = closed.get(key);
    ClosedTrace stored = closedBefore == null ? null : ClosedTrace.decode(closedBefore);
    ClosedTrace history = stored == null || stored.wasShed() ? ClosedTrace.none() : stored;
    OtlpAvroTranscoder.Result result =
        OtlpAvroTranscoder.assemble(tenant, traceId, meta.fragment(), chunks, history::emitted);
    for (SpanRejection r : result.rejections()) {
      metrics.rejected(r.reason() + "_at_close", 1);
      try (LogContext ignored = LogContext.of(tenant, traceId.toHex())) {
        LOG.warn("Spans of trace {} left out at close: {}", traceId, r.detail());
      }
    }
    if (result.duplicates() > 0) {
      metrics.duplicates(result.duplicates());
    }
    int nextFragment = meta.fragment();
    if (result.avroBinary() == null) {
      metrics.closedEmpty(reason);
    } else {
      List<byte[]> parts =
          result.avroBinary().length <= config.maxRecordBytes()
              ? List.of(result.avroBinary())
              : OversizedTrace.split(result.avroBinary(), config.maxRecordBytes());
      if (parts.size() > 1) {
        metrics.split(parts.size());
        try (LogContext ignored = LogContext.of(tenant, traceId.toHex())) {
          LOG.warn(
              "Trace {} of tenant {} is {} bytes as Avro, over trace.max.record.bytes ({}):"
                  + " emitted as {} fragments",
              traceId,
              tenant,
              result.avroBinary().length,
              config.maxRecordBytes(),
              parts.size());
        }
      }
      for (byte[] part : parts) {
        Headers headers = new RecordHeaders();
        headers.add(SpanlineHeaders.TENANT, tenant.getBytes(StandardCharsets.UTF_8));
        context.forward(new Record<>(traceId, part, now, headers));
      }
      nextFragment = meta.fragment() + parts.size();
      metrics.closed(reason, meta.fragment(), result.spanCount(), now - meta.firstSeenMillis());
    }
    if (stored != null) {
      expiries.remove(new Due(stored.expiresMillis(), key));
    }
    long expires = now + config.closedTtl().toMillis();
    closed.put(key, history.next(expires, nextFragment, result.spanIds()).encode());
    expiries.add(new Due(expires, key));
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
    bounds.taskClosed();
    metrics.released(open.size(), taskBufferedBytes);
    taskByTenant.forEach((tenant, c) -> tenantBounds.add(tenant, -c[0], -c[1]));
    taskByTenant.clear();
    open.clear();
    dueIndex.clear();
    expiries.clear();
    taskBufferedBytes = 0;
  }
}
