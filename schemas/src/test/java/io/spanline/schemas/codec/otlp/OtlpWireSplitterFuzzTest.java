package io.spanline.schemas.codec.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.spanline.schemas.codec.MalformedOtlpException;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.Resource;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.TraceId;
import java.util.List;
import java.util.Set;

/**
 * Coverage-guided fuzzing of the gateway's hot path: any bytes an OTLP client sends either split
 * into parts or are refused with {@link MalformedOtlpException} (the gateway's 400); any other
 * throwable is a finding. Where protobuf itself reads the bytes as {@code TracesData}, the split
 * must succeed too, account for every span, and produce parts that protobuf reads back, each of one
 * trace and within the size limit (or holding a single span). Seeds: {@code
 * OtlpWireSplitterFuzzTestInputs/} (docs/fuzzing.md).
 */
class OtlpWireSplitterFuzzTest {
  private static final int PART_BYTES = 400;

  /** Keeps, rewrites, rejects and drops spans from their facts, so every path of a scan runs. */
  private static final SpanPolicy EVERY_VERDICT =
      new SpanPolicy() {
        @Override
        public Set<String> watchedKeys() {
          return Set.of("secret", "service.name");
        }

        @Override
        public Verdict judge(SpanFacts facts) {
          if (facts.endEpochNanos() < facts.startEpochNanos()) {
            return Verdict.reject("end_before_start");
          }
          if ((facts.traceId().low() & 7) == 7) {
            return Verdict.drop();
          }
          if (facts.watchedKey()
              || facts.attributes() > 2
              || facts.maxEventOrLinkAttributes() > 2
              || facts.maxValueBytes() > 32) {
            return Verdict.rewrite();
          }
          return Verdict.keep();
        }

        @Override
        public Span rewrite(Span span) {
          List<Attribute> kept = span.attributes().stream().limit(2).toList();
          return span.toBuilder().attributes(kept).name(span.name() + "*").build();
        }

        @Override
        public Resource rewriteResource(Resource resource) {
          return new Resource(List.of(), resource.droppedAttributesCount() + 1, "");
        }
      };

  @FuzzTest
  void splitsAnyRequest_orRefusesItAsMalformed(byte[] request) throws Exception {
    TracesData parsed = parseOrNull(request);
    WireSplit split;
    try {
      split = OtlpWireSplitter.split(request, EVERY_VERDICT, PART_BYTES);
    } catch (MalformedOtlpException e) {
      assertThat(parsed).as("protobuf reads what the splitter refused: %s", e).isNull();
      return;
    }
    if (parsed == null) {
      return; // the scan is more lenient than protobuf (e.g. unchecked UTF-8): not a finding
    }
    assertThat(split.keptSpans() + split.droppedSpans() + split.rejections().size())
        .isEqualTo(spanCount(parsed));
    int inParts = 0;
    for (TracePart part : split.parts()) {
      TracesData data = TracesData.parseFrom(part.tracesData());
      assertThat(spanCount(data)).isEqualTo(part.spanCount());
      assertThat(part.sizeBytes() <= PART_BYTES || part.spanCount() == 1)
          .as("%s is over %d bytes", part, PART_BYTES)
          .isTrue();
      for (ResourceSpans rs : data.getResourceSpansList()) {
        for (ScopeSpans ss : rs.getScopeSpansList()) {
          for (io.opentelemetry.proto.trace.v1.Span s : ss.getSpansList()) {
            assertThat(TraceId.fromBytes(s.getTraceId().toByteArray())).isEqualTo(part.traceId());
          }
        }
      }
      inParts += part.spanCount();
    }
    assertThat(inParts).isEqualTo(split.keptSpans());
  }

  /** The request as protobuf reads it, or null when protobuf refuses it. */
  static TracesData parseOrNull(byte[] request) {
    try {
      return TracesData.parseFrom(request);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      return null;
    }
  }

  private static int spanCount(TracesData data) {
    int n = 0;
    for (ResourceSpans rs : data.getResourceSpansList()) {
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        n += ss.getSpansCount();
      }
    }
    return n;
  }
}
