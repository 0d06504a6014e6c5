package io.spanline.index.testing;

import java.util.List;
import org.opensearch.client.json.JsonData;
import org.opensearch.client.opensearch._types.FieldValue;
import org.opensearch.client.opensearch._types.query_dsl.Query;

/** Short OpenSearch queries for tests: {@code and(term("tenant", "acme"), atLeast(...))}. */
public final class Queries {
  private Queries() {}

  public static Query term(String field, String value) {
    return Query.of(q -> q.term(t -> t.field(field).value(FieldValue.of(value))));
  }

  public static Query term(String field, long value) {
    return Query.of(q -> q.term(t -> t.field(field).value(FieldValue.of(value))));
  }

  /** {@code from <= field < to}. */
  public static Query between(String field, long from, long to) {
    return Query.of(q -> q.range(r -> r.field(field).gte(JsonData.of(from)).lt(JsonData.of(to))));
  }

  public static Query atLeast(String field, long from) {
    return Query.of(q -> q.range(r -> r.field(field).gte(JsonData.of(from))));
  }

  public static Query and(Query... filters) {
    return Query.of(q -> q.bool(b -> b.filter(List.of(filters))));
  }

  public static Query all() {
    return Query.of(q -> q.matchAll(m -> m));
  }
}
