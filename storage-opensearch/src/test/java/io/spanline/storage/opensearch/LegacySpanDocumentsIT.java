package io.spanline.storage.opensearch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.opensearch.LocalOpenSearch;
import io.spanline.schemas.codec.otlp.OtlpProtoCodec;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.DecisionOutcome;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.model.SamplingDecision;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.testing.TraceBuilder;
import io.spanline.storage.FoundTrace;
import io.spanline.storage.TimeRange;
import io.spanline.storage.opensearch.testing.OpenSearchStoreFixture;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.opensearch.client.opensearch._types.Refresh;

/**
 * Span documents written before trace fragment documents existed carry their own OTLP copy ({@link
 * Fields#OTLP}); trace by ID still reads them, alone or beside fragment documents of the same
 * trace, each span once.
 */
@ExtendWith(LocalInfraExtension.class)
class LegacySpanDocumentsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TimeRange ANY = new TimeRange(0, Long.MAX_VALUE);

  @Test
  void readsSpanDocumentsWithTheirOwnCopyBesideFragmentDocuments(LocalOpenSearch node)
      throws Exception {
    try (OpenSearchStoreFixture fixture = OpenSearchStoreFixture.start(node, java.util.Set.of())) {
      OpenSearchTraceStore store =
          new OpenSearchTraceStore(
              fixture.client(), fixture.layout(), 100, new SimpleMeterRegistry());
      AssembledTrace whole =
          TraceBuilder.trace()
              .tenant("acme")
              .root("frontend", "GET /checkout", 120)
              .child("checkout", "POST /orders", 80)
              .child("payment", "charge", 30)
              .build();
      List<Span> spans =
          whole.spans().stream().sorted(Comparator.comparingLong(Span::startEpochNanos)).toList();
      // Given the first two spans as span documents of the old layout (each with its OTLP copy)
      for (Span span : spans.subList(0, 2)) {
        writeOldSpanDocument(fixture, span);
      }
      AssembledTrace onlyOld =
          TraceBuilder.trace()
              .tenant("acme")
              .root("frontend", "GET /old", 10)
              .child("backend", "query", 5)
              .build();
      for (Span span : onlyOld.spans()) {
        writeOldSpanDocument(fixture, span);
      }
      // and the third span of the first trace written now, as a late fragment
      fixture.write(
          List.of(kept(AssembledTrace.of("acme", whole.traceId(), 1, spans.subList(2, 3)))));

      // Then the trace by ID holds all three spans, in start order
      FoundTrace found = store.trace("acme", whole.traceId(), ANY).orElseThrow();
      assertThat(found.spans()).containsExactlyElementsOf(spans);
      assertThat(found.truncated()).isFalse();
      // and a trace written only in the old layout reads whole
      assertThat(store.trace("acme", onlyOld.traceId(), ANY).orElseThrow().spans())
          .containsExactlyInAnyOrderElementsOf(onlyOld.spans());
      // and the multi-trace read agrees
      Map<io.spanline.schemas.model.TraceId, FoundTrace> both =
          store.traces("acme", List.of(whole.traceId(), onlyOld.traceId()));
      assertThat(both.get(whole.traceId()).spans()).containsExactlyElementsOf(spans);
      assertThat(both.get(onlyOld.traceId()).spans()).hasSize(2);
      // and another tenant sees neither
      assertThat(store.trace("globex", whole.traceId(), ANY)).isEmpty();
      assertThat(store.trace("globex", onlyOld.traceId(), ANY)).isEmpty();

      // When the whole first trace is written again in the new layout (a replay)
      fixture.write(List.of(kept(whole)));

      // Then each span still comes once
      assertThat(store.trace("acme", whole.traceId(), ANY).orElseThrow().spans())
          .containsExactlyElementsOf(spans);
    }
  }

  /** A span document as the write path made it before fragment documents: with {@code otlp}. */
  private static void writeOldSpanDocument(OpenSearchStoreFixture fixture, Span span)
      throws Exception {
    ObjectNode doc = JSON.createObjectNode();
    doc.put(Fields.TENANT, "acme");
    doc.put(Fields.TRACE_ID, span.traceId().toHex());
    doc.put(Fields.SPAN_ID, span.spanId().toHex());
    doc.put(Fields.FRAGMENT, 0);
    doc.put(Fields.SERVICE, span.serviceName());
    doc.put(Fields.NAME, span.name());
    doc.put(Fields.START_TIME, span.startEpochNanos() / 1_000_000L);
    doc.put(Fields.START_TIME_UNIX_NANO, span.startEpochNanos());
    doc.put(Fields.DURATION_NANOS, span.durationNanos());
    doc.put(Fields.OTLP, OtlpProtoCodec.encode(List.of(span)));
    IndexLayout layout = fixture.layout();
    fixture
        .client()
        .index(
            i ->
                i.index(layout.spanIndex(IndexLayout.dayOf(span.startEpochNanos())))
                    .id(IndexLayout.spanDocumentId("acme", span.traceId(), span.spanId()))
                    .document(doc)
                    .refresh(Refresh.True));
  }

  private static SampledTrace kept(AssembledTrace trace) {
    return new SampledTrace(
        trace,
        new SamplingDecision(
            trace.tenant(), trace.traceId(), DecisionOutcome.KEEP, List.of("all"), 1.0, 1L));
  }
}
