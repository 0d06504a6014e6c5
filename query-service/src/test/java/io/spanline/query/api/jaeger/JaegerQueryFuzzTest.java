package io.spanline.query.api.jaeger;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.linecorp.armeria.common.QueryParams;
import io.spanline.query.api.Params;
import io.spanline.query.testing.FuzzedQueries;

/**
 * Coverage-guided fuzzing of the parameter parsing of Jaeger's api_v3 ({@code GET /api/v3/traces}:
 * times, Go durations, the attributes JSON, search depth; a trace ID): any parameters either make a
 * query or are refused with an {@link IllegalArgumentException} or {@link ArithmeticException},
 * which the API answers with 400; anything else would be a 503 for bad input and is a finding.
 * Seeds: {@code JaegerQueryFuzzTestInputs/} (docs/fuzzing.md).
 */
class JaegerQueryFuzzTest {

  @FuzzTest
  void parsesAnySearch_orRefusesItAsBadRequest(byte[] query) {
    QueryParams params = FuzzedQueries.params(query);
    try {
      JaegerApiV3.query(params);
    } catch (IllegalArgumentException | ArithmeticException e) {
      // declared: 400
    }
    try {
      Params.traceId(params.get("trace_id", ""));
    } catch (IllegalArgumentException e) {
      // declared: 400
    }
  }
}
