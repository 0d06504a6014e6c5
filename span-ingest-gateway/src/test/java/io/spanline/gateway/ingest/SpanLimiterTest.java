package io.spanline.gateway.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.gateway.config.TenantLimits;
import io.spanline.gateway.testing.TestRequests;
import io.spanline.schemas.model.AnyValue;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.SpanEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpanLimiterTest {
  private static final TenantLimits LIMITS = new TenantLimits(1 << 20, 1000, 3, 8, 2, 2, 0, 0);

  @Test
  void spanWithinLimitsIsReturnedAsItIs() {
    Span span = TestRequests.span(TestRequests.newTraceId(), 3, 8);

    assertThat(SpanLimiter.apply(span, LIMITS)).isSameAs(span);
  }

  @Test
  void extraAttributesAreDroppedAndCounted() {
    Span span =
        TestRequests.span(TestRequests.newTraceId(), 10, 2).toBuilder()
            .droppedAttributesCount(5)
            .build();

    Span limited = SpanLimiter.apply(span, LIMITS);

    assertThat(limited.attributes())
        .extracting(Attribute::key)
        .containsExactly("key.0", "key.1", "key.2");
    assertThat(limited.droppedAttributesCount()).isEqualTo(5 + 7);
  }

  @Test
  void longValuesAreTruncatedAtACharacterBoundary_andMarked() {
    Span span =
        TestRequests.span(TestRequests.newTraceId(), 0, 0).toBuilder()
            .addAttribute(Attribute.of("short", "abc"))
            .addAttribute(Attribute.of("long", "ééééé")) // 10 bytes in UTF-8
            .build();

    Span limited = SpanLimiter.apply(span, LIMITS);

    String value = Attribute.find(limited.attributes(), "long").orElseThrow().asText();
    assertThat(value).isEqualTo("éééé");
    assertThat(value.getBytes(StandardCharsets.UTF_8)).hasSize(8);
    assertThat(Attribute.find(limited.attributes(), SpanLimiter.TRUNCATED_KEY))
        .contains(AnyValue.ofArray(List.of(AnyValue.of("long"))));
  }

  @Test
  void extraEventsAndLinksAreDroppedAndCounted() {
    Span.Builder b = TestRequests.span(TestRequests.newTraceId(), 1, 1).toBuilder();
    for (int i = 0; i < 5; i++) {
      b.addEvent(new SpanEvent(i, "e" + i, List.of(), 0));
    }
    Span limited = SpanLimiter.apply(b.build(), LIMITS);

    assertThat(limited.events()).extracting(SpanEvent::name).containsExactly("e0", "e1");
    assertThat(limited.droppedEventsCount()).isEqualTo(3);
  }

  @Test
  void truncateUtf8NeverSplitsASurrogatePair() {
    assertThat(SpanLimiter.truncateUtf8("a😀b", 4)).isEqualTo("a");
    assertThat(SpanLimiter.truncateUtf8("a😀b", 5)).isEqualTo("a😀");
  }
}
