package io.spanline.storage.opensearch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which indices a search names: the range's daily indices, unless they are too many to name. */
class OpenSearchTraceStoreIndicesTest {
  private static final IndexLayout LAYOUT = new IndexLayout("spanline");

  private static long nanos(String instant) {
    Instant i = Instant.parse(instant);
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }

  @Test
  void aRangeOfAFewDays_namesItsDailyIndices() {
    List<String> daily =
        LAYOUT.spanIndices(nanos("2026-11-20T10:00:00Z"), nanos("2026-11-22T10:00:00Z"));

    assertThat(OpenSearchTraceStore.within(daily, LAYOUT.spanIndexPattern()))
        .containsExactly(
            "spanline-spans-2026-11-20", "spanline-spans-2026-11-21", "spanline-spans-2026-11-22");
  }

  /**
   * Found by QueryHttpFuzzTest ({@code /v1/attributes?from=2025-11-22T08:00:00Z}, a 376-day range
   * up to now): the request line naming every daily index was longer than OpenSearch's 4 KB limit,
   * OpenSearch refused it and the API answered 503.
   */
  @Test
  void aRangeOfAYear_namesThePattern_soTheRequestLineStaysUnderOpenSearchsLimit() {
    List<String> daily =
        LAYOUT.traceIndices(nanos("2025-11-22T08:00:00Z"), nanos("2026-12-03T02:53:49Z"));
    assertThat(String.join(",", daily)).hasSizeGreaterThan(4096);

    assertThat(OpenSearchTraceStore.within(daily, LAYOUT.traceIndexPattern()))
        .containsExactly("spanline-traces-*");
  }

  @Test
  void theListNamedIsNeverLongerThanTheLimit() {
    long day = 86_400_000_000_000L;
    long from = nanos("2026-01-01T00:00:00Z");
    for (int days = 0; days < 400; days++) {
      List<String> named =
          OpenSearchTraceStore.within(
              LAYOUT.spanIndices(from, from + days * day), LAYOUT.spanIndexPattern());
      assertThat(String.join("%2C", named))
          .hasSizeLessThanOrEqualTo(OpenSearchTraceStore.MAX_INDEX_LIST_CHARS);
    }
  }
}
