package io.spanline.query.testing;

import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.common.QueryParamsBuilder;
import java.nio.charset.StandardCharsets;

/**
 * Query parameters from fuzzer bytes: the bytes as UTF-8, pairs split at {@code &}, name and value
 * at the first {@code =}, nothing percent-decoded, so any character reaches the parsers as a
 * client's decoded parameter would. Seed files are readable query strings.
 */
public final class FuzzedQueries {
  private FuzzedQueries() {}

  public static QueryParams params(byte[] bytes) {
    QueryParamsBuilder params = QueryParams.builder();
    for (String pair : new String(bytes, StandardCharsets.UTF_8).split("&", -1)) {
      int eq = pair.indexOf('=');
      if (eq < 0) {
        params.add(pair, "");
      } else {
        params.add(pair.substring(0, eq), pair.substring(eq + 1));
      }
    }
    return params.build();
  }
}
