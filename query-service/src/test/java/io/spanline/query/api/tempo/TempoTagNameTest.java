package io.spanline.query.api.tempo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The tag of a tag-values path, as Grafana escapes it (twice; see {@link TempoApi#tagName}). */
class TempoTagNameTest {
  @Test
  void decodesATagStillEscapedOnce() {
    assertThat(TempoApi.tagName("span.app.kubernetes.io%2Fname"))
        .isEqualTo("span.app.kubernetes.io/name");
    assertThat(TempoApi.tagName("span.order%20id")).isEqualTo("span.order id");
  }

  @Test
  void leavesAnUnescapedTagAsItIs() {
    assertThat(TempoApi.tagName("resource.service.name")).isEqualTo("resource.service.name");
    assertThat(TempoApi.tagName("span.a+b")).isEqualTo("span.a+b");
    assertThat(TempoApi.tagName("span.ratio%")).isEqualTo("span.ratio%");
    assertThat(TempoApi.tagName("span.x%zz")).isEqualTo("span.x%zz");
  }

  @Test
  void keepsAPlusWhenDecoding() {
    assertThat(TempoApi.tagName("span.a+b%2Fc")).isEqualTo("span.a+b/c");
  }
}
