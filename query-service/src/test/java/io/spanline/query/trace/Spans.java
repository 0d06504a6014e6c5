package io.spanline.query.trace;

import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.Resource;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.SpanEvent;
import io.spanline.schemas.model.SpanId;
import io.spanline.schemas.model.SpanKind;
import io.spanline.schemas.model.TraceId;
import java.util.List;

/** Hand-built spans of one trace: IDs from small numbers, hosts and kinds as the test says. */
final class Spans {
  static final TraceId TRACE = TraceId.fromHex("0af7651916cd43dd8448eb211c80319c");

  private Spans() {}

  static SpanId id(int n) {
    return SpanId.fromHex(String.format("%016x", n));
  }

  /** A span on {@code host} (empty: no host attribute), child of {@code parent} (0: a root). */
  static Span span(int id, int parent, String host, SpanKind kind, long start, long end) {
    Span.Builder b =
        Span.builder(TRACE, id(id))
            .name("op-" + id)
            .kind(kind)
            .time(start, end)
            .resource(
                new Resource(
                    host.isEmpty()
                        ? List.of(Attribute.of("service.name", "svc-" + id))
                        : List.of(
                            Attribute.of("service.name", "svc-" + id),
                            Attribute.of("host.name", host)),
                    0,
                    ""));
    if (parent != 0) {
      b.parentSpanId(id(parent));
    }
    return b.build();
  }

  static Span span(int id, int parent, String host, long start, long end) {
    return span(id, parent, host, SpanKind.INTERNAL, start, end);
  }

  static Span withEvent(Span span, long at) {
    return span.toBuilder().addEvent(new SpanEvent(at, "e", List.of(), 0)).build();
  }
}
