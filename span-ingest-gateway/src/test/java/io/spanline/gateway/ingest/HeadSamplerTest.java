package io.spanline.gateway.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.schemas.model.TraceId;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HeadSamplerTest {

  @Test
  void keepsAboutTheConfiguredShare_andDecidesTheSameForTheSameTrace() {
    HeadSampler tenPercent = new HeadSampler(10);
    HeadSampler again = new HeadSampler(10);
    Random random = new Random(1);
    int kept = 0;
    for (int i = 0; i < 100_000; i++) {
      TraceId id = new TraceId(random.nextLong() | 1, random.nextLong());
      boolean keep = tenPercent.keep(id);
      assertThat(again.keep(id)).isEqualTo(keep);
      kept += keep ? 1 : 0;
    }
    assertThat(kept).isBetween(9_500, 10_500);
  }

  @Test
  void hundredKeepsAllAndZeroKeepsNone() {
    TraceId id = new TraceId(1, Long.MIN_VALUE);

    assertThat(new HeadSampler(100).keep(id)).isTrue();
    assertThat(new HeadSampler(0).keep(new TraceId(1, 0))).isFalse();
  }
}
