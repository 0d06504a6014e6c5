package io.spanline.gateway.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.gateway.config.RedactionRule;
import io.spanline.gateway.config.RedactionRule.Action;
import io.spanline.gateway.testing.TestRequests;
import io.spanline.schemas.model.AnyValue;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.Resource;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.SpanEvent;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class RedactorTest {
  private final Redactor redactor =
      new Redactor(
          List.of(
              new RedactionRule("http.request.header.authorization", Action.DROP, null, null),
              new RedactionRule(
                  "url.full", Action.MASK, Pattern.compile("token=[^&]*"), "token=***"),
              new RedactionRule("user.email", Action.HASH, null, null)));

  @Test
  void dropsMasksAndHashes_inSpanEventAndResourceAttributes() {
    Resource resource =
        new Resource(
            List.of(Attribute.of("service.name", "s"), Attribute.of("user.email", "a@b.c")), 0, "");
    Span span =
        TestRequests.span(TestRequests.newTraceId(), 0, 0).toBuilder()
            .resource(resource)
            .addAttribute(Attribute.of("http.request.header.authorization", "Bearer x"))
            .addAttribute(Attribute.of("url.full", "https://x/y?token=abc&page=2"))
            .addAttribute(Attribute.of("kept", 1L))
            .addEvent(new SpanEvent(1, "login", List.of(Attribute.of("user.email", "a@b.c")), 0))
            .build();

    Span redacted = redactor.redact(span);
    Resource redactedResource = redactor.redact(span.resource());

    assertThat(redacted.attributes())
        .containsExactly(
            Attribute.of("url.full", "https://x/y?token=***&page=2"), Attribute.of("kept", 1L));
    String hash = Redactor.sha256("a@b.c");
    assertThat(hash).hasSize(64).isNotEqualTo("a@b.c");
    assertThat(Attribute.find(redacted.events().get(0).attributes(), "user.email"))
        .contains(AnyValue.of(hash));
    assertThat(Attribute.find(redactedResource.attributes(), "user.email"))
        .contains(AnyValue.of(hash));
  }

  @Test
  void spanWithoutMatchingKeysIsUntouched() {
    Span span = TestRequests.span(TestRequests.newTraceId(), 3, 3);

    assertThat(redactor.redact(span)).isSameAs(span);
    assertThat(redactor.redact(span.resource())).isSameAs(span.resource());
  }

  @Test
  void sha256IsTheStandardDigest() {
    assertThat(Redactor.sha256("abc"))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }
}
