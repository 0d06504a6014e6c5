package io.spanline.storage.opensearch.testing;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.spanline.localinfra.junit.UniqueNames;
import io.spanline.localinfra.opensearch.LocalOpenSearch;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.storage.opensearch.BulkMetrics;
import io.spanline.storage.opensearch.BulkOutcome;
import io.spanline.storage.opensearch.IndexLayout;
import io.spanline.storage.opensearch.IndexTemplates;
import io.spanline.storage.opensearch.OpenSearchConnection;
import io.spanline.storage.opensearch.OpenSearchSettings;
import io.spanline.storage.opensearch.PendingAction;
import io.spanline.storage.opensearch.TemplateSettings;
import io.spanline.storage.opensearch.TraceIndexWriter;
import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.opensearch.client.opensearch.OpenSearchClient;

/**
 * Span and summary indices of a prefix of their own on a real OpenSearch node, written through the
 * index sink's write path: {@link TraceIndexWriter} with the default attribute allowlist (plus keys
 * a test names), the templates and summary script installed as the sink installs them.
 */
public final class OpenSearchStoreFixture implements AutoCloseable {
  private final OpenSearchConnection connection;
  private final IndexLayout layout;
  private final TraceIndexWriter writer;

  private OpenSearchStoreFixture(
      OpenSearchConnection connection, IndexLayout layout, Set<String> allowlist) {
    this.connection = connection;
    this.layout = layout;
    this.writer =
        new TraceIndexWriter(
            connection.client(), layout, allowlist, 5000, 5L << 20, 1, new NoMetrics());
  }

  /**
   * @param extraAttributeKeys indexed besides {@link TraceIndexWriter#DEFAULT_ALLOWLIST}
   */
  public static OpenSearchStoreFixture start(LocalOpenSearch node, Set<String> extraAttributeKeys)
      throws IOException {
    IndexLayout layout = new IndexLayout(UniqueNames.unique("store"));
    OpenSearchConnection connection = OpenSearchConnection.open(settings(node));
    IndexTemplates.install(connection.client(), new TemplateSettings(layout, 1, 0, "1s", 256));
    Set<String> allowlist = new HashSet<>(TraceIndexWriter.DEFAULT_ALLOWLIST);
    allowlist.addAll(extraAttributeKeys);
    return new OpenSearchStoreFixture(connection, layout, allowlist);
  }

  /** Like {@link #start(LocalOpenSearch, Set)} on a layout of the caller's, default allowlist. */
  public static OpenSearchStoreFixture start(LocalOpenSearch node, IndexLayout layout)
      throws IOException {
    OpenSearchConnection connection = OpenSearchConnection.open(settings(node));
    IndexTemplates.install(connection.client(), new TemplateSettings(layout, 1, 0, "1s", 256));
    return new OpenSearchStoreFixture(
        connection, layout, new HashSet<>(TraceIndexWriter.DEFAULT_ALLOWLIST));
  }

  public static OpenSearchSettings settings(LocalOpenSearch node) {
    return new OpenSearchSettings(List.of(node.uri()), "", "", Duration.ofSeconds(30));
  }

  public OpenSearchClient client() {
    return connection.client();
  }

  public IndexLayout layout() {
    return layout;
  }

  /**
   * Writes the traces as the index sink does, then refreshes the indices so that reads see them.
   *
   * @throws IllegalStateException if OpenSearch refuses a document
   */
  public void write(List<SampledTrace> traces) throws IOException {
    TraceIndexWriter.Batch<Integer> batch = writer.batch();
    for (int i = 0; i < traces.size(); i++) {
      batch.add(i, traces.get(i));
    }
    List<PendingAction<Integer>> pending = batch.actions();
    for (int attempt = 0; !pending.isEmpty(); attempt++) {
      BulkOutcome<Integer> outcome = writer.index(pending);
      if (!outcome.rejected().isEmpty()) {
        throw new IllegalStateException("OpenSearch refused " + outcome.rejected());
      }
      if (attempt == 10) {
        throw new IllegalStateException("OpenSearch kept failing: " + outcome.retry().size());
      }
      pending = outcome.retry();
    }
    client().indices().refresh(r -> r.index(layout.prefix() + "-*").ignoreUnavailable(true));
  }

  @Override
  public void close() throws IOException {
    connection.close();
  }

  private static final class NoMetrics implements BulkMetrics {
    private final Timer timer = Timer.builder("bulk").register(new SimpleMeterRegistry());

    @Override
    public Timer bulkTimer() {
      return timer;
    }

    @Override
    public void indexed(PendingAction.Kind kind) {}

    @Override
    public void bulkError(String type, int count) {}

    @Override
    public void bulkSplit() {}
  }
}
