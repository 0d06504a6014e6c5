package io.spanline.query.api.v1;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.spanline.query.testing.FuzzedQueries;
import java.time.Instant;

/**
 * Coverage-guided fuzzing of the parameter parsing of the native {@code /v1/traces/search} (RFC
 * 3339 times, status, durations in milliseconds, limit, {@code attr.*}): any parameters either make
 * a query or are refused with an {@link IllegalArgumentException} or {@link ArithmeticException},
 * which the API answers with 400; anything else would be a 503 for bad input and is a finding.
 * Seeds: {@code NativeQueryFuzzTestInputs/} (docs/fuzzing.md).
 */
class NativeQueryFuzzTest {
  private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

  @FuzzTest
  void parsesAnySearch_orRefusesItAsBadRequest(byte[] query) {
    try {
      NativeApi.query(FuzzedQueries.params(query), NOW);
    } catch (IllegalArgumentException | ArithmeticException e) {
      // declared: 400
    }
  }
}
