package io.spanline.assembly.buffer;

import io.spanline.schemas.codec.otlp.OtlpWireSplitter;
import io.spanline.schemas.codec.otlp.SpanFacts;
import io.spanline.schemas.codec.otlp.SpanPolicy;
import io.spanline.schemas.codec.otlp.TracePart;
import io.spanline.schemas.codec.otlp.WireSplit;
import io.spanline.schemas.model.AnyValue;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.TraceShedding;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Stamps the adjusted count of a trace kept while shedding on the spans of the record that opened
 * it: the span attribute {@value TraceShedding#ADJUSTED_COUNT_ATTRIBUTE}, the larger of the value a
 * span carries already (the gateway's, when it shed at a higher level: the kept sets are nested, so
 * the trace was kept with probability 2<sup>-max</sup>) and {@code count}. Downstream, the largest
 * value on any span of a trace applies to the whole trace, so the first record is enough.
 */
final class AdjustedCount {
  private AdjustedCount() {}

  /**
   * The record's OTLP bytes with every span stamped; the bytes unchanged if the record cannot be
   * rewritten span for span (never expected: the router passes only valid spans).
   */
  static byte[] stamp(TracePart part, long count) {
    WireSplit split;
    try {
      split = OtlpWireSplitter.split(part.tracesData(), new Stamp(count), Integer.MAX_VALUE);
    } catch (RuntimeException e) {
      return part.tracesData();
    }
    if (split.keptSpans() != part.spanCount() || split.parts().isEmpty()) {
      return part.tracesData();
    }
    if (split.parts().size() == 1) {
      return split.parts().get(0).tracesData();
    }
    // TracesData messages concatenated are one TracesData with all their resource spans
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (TracePart p : split.parts()) {
      out.writeBytes(p.tracesData());
    }
    return out.toByteArray();
  }

  private record Stamp(long count) implements SpanPolicy {
    @Override
    public Set<String> watchedKeys() {
      return Set.of();
    }

    @Override
    public Verdict judge(SpanFacts facts) {
      return Verdict.rewrite();
    }

    @Override
    public Span rewrite(Span span) {
      long value = count;
      List<Attribute> attributes = new ArrayList<>(span.attributes().size() + 1);
      for (Attribute a : span.attributes()) {
        if (a.key().equals(TraceShedding.ADJUSTED_COUNT_ATTRIBUTE)) {
          if (a.value() instanceof AnyValue.LongValue l && l.value() > value) {
            value = l.value();
          }
        } else {
          attributes.add(a);
        }
      }
      attributes.add(Attribute.of(TraceShedding.ADJUSTED_COUNT_ATTRIBUTE, value));
      return span.toBuilder().attributes(attributes).build();
    }
  }
}
