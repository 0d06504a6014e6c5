package io.spanline.query.api.tempo;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.spanline.query.testing.FuzzedQueries;
import java.time.Instant;

/**
 * Coverage-guided fuzzing of the parameter parsing of Tempo's {@code /api/search} (logfmt {@code
 * tags}, Go durations, epoch seconds, limit): any parameters either make a query or are refused
 * with an {@link IllegalArgumentException} or {@link ArithmeticException}, which the API answers
 * with 400; anything else would be a 503 for bad input and is a finding. Seeds: {@code
 * TempoQueryFuzzTestInputs/} (docs/fuzzing.md).
 */
class TempoQueryFuzzTest {
  private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

  @FuzzTest
  void parsesAnySearch_orRefusesItAsBadRequest(byte[] query) {
    try {
      TempoApi.query(FuzzedQueries.params(query), NOW);
    } catch (IllegalArgumentException | ArithmeticException e) {
      // declared: 400
    }
  }
}
