package io.spanline.query.api.jaeger;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.linecorp.armeria.common.QueryParams;
import io.spanline.query.api.Params;
import io.spanline.query.testing.FuzzedQueries;
import java.time.Instant;

/**
 * Coverage-guided fuzzing of the parameter parsing of Jaeger's HTTP API ({@code GET
 * /jaeger/api/traces}: epoch microseconds, Go durations, the tags JSON and {@code tag=key:value},
 * limit; a trace ID): any parameters either make a query or are refused with an {@link
 * IllegalArgumentException} or {@link ArithmeticException}, which the API answers with 400;
 * anything else would be a 503 for bad input and is a finding. Seeds: {@code
 * JaegerHttpQueryFuzzTestInputs/} (docs/fuzzing.md).
 */
class JaegerHttpQueryFuzzTest {
  private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");

  @FuzzTest
  void parsesAnySearch_orRefusesItAsBadRequest(byte[] query) {
    QueryParams params = FuzzedQueries.params(query);
    try {
      JaegerHttpApi.query(params, NOW);
    } catch (IllegalArgumentException | ArithmeticException e) {
      // declared: 400
    }
    try {
      Params.traceId(params.get("traceID", ""), "traceID");
    } catch (IllegalArgumentException e) {
      // declared: 400
    }
  }
}
