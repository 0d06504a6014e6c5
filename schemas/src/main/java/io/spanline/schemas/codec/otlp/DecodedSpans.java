package io.spanline.schemas.codec.otlp;

import io.spanline.schemas.model.Span;
import java.util.List;

/**
 * The result of a lenient decode: the spans that could be read, in order, and one rejection for
 * each span that could not (OTLP's {@code partial_success}).
 */
public record DecodedSpans(List<Span> spans, List<SpanRejection> rejections) {
  public DecodedSpans {
    spans = List.copyOf(spans);
    rejections = List.copyOf(rejections);
  }
}
