package io.spanline.storage.opensearch;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.opensearch.LocalOpenSearch;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.storage.TraceSearch;
import io.spanline.storage.TraceStore;
import io.spanline.storage.opensearch.testing.OpenSearchStoreFixture;
import io.spanline.storage.testing.JaegerFixtures;
import io.spanline.storage.testing.TraceSearchConformance;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The storage conformance suite on the hot store: a real OpenSearch node, traces written through
 * the index sink's write path with the default attribute allowlist plus {@code http.route} (already
 * in it) and the keys Jaeger's fixtures search by.
 */
@ExtendWith(LocalInfraExtension.class)
class OpenSearchTraceStoreIT extends TraceSearchConformance {
  private static OpenSearchStoreFixture fixture;
  private static OpenSearchTraceStore store;

  @BeforeAll
  static void start(LocalOpenSearch node) throws Exception {
    fixture = OpenSearchStoreFixture.start(node, new JaegerFixtures().attributeKeys());
    store =
        new OpenSearchTraceStore(
            fixture.client(), fixture.layout(), MAX_SPANS, new SimpleMeterRegistry());
  }

  @AfterAll
  static void stop() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Override
  protected TraceStore store() {
    return store;
  }

  @Override
  protected TraceSearch search() {
    return store;
  }

  @Override
  protected void write(List<SampledTrace> traces) throws Exception {
    fixture.write(traces);
  }
}
