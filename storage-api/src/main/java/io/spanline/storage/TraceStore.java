package io.spanline.storage;

import io.spanline.schemas.model.TraceId;
import java.io.IOException;
import java.util.Optional;

/**
 * Trace by ID: the read every trace store answers, the hot index, the cold archive and the two
 * together ({@link FallbackTraceStore}). Every read names its tenant; a store never answers with
 * another tenant's spans.
 */
public interface TraceStore {
  /**
   * The trace's spans the store holds, at most its span limit ({@link FoundTrace#truncated} tells
   * that spans were left out).
   *
   * @param range where the trace's spans started; a store laid out by time (the archive) looks only
   *     there, a store that finds a trace by ID alone may ignore it
   * @return empty when the store holds no span of the trace for this tenant
   * @throws IOException if the store cannot be read
   */
  Optional<FoundTrace> trace(String tenant, TraceId traceId, TimeRange range) throws IOException;
}
