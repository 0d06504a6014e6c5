package io.spanline.storage.opensearch.testing;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.spanline.localinfra.junit.UniqueNames;
import io.spanline.localinfra.opensearch.LocalOpenSearch;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.storage.opensearch.bulk.BulkIndexer;
import io.spanline.storage.opensearch.bulk.BulkMetrics;
import io.spanline.storage.opensearch.bulk.PendingAction;
import io.spanline.storage.opensearch.client.OpenSearchConnection;
import io.spanline.storage.opensearch.client.OpenSearchSettings;
import io.spanline.storage.opensearch.document.SpanDocumentMapper;
import io.spanline.storage.opensearch.document.TraceDocuments;
import io.spanline.storage.opensearch.layout.IndexLayout;
import io.spanline.storage.opensearch.templates.IndexTemplates;
import io.spanline.storage.opensearch.templates.TemplateSettings;
import io.spanline.storage.opensearch.write.BulkActions;
import io.spanline.storage.opensearch.write.SummaryIndexResolver;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.opensearch.client.opensearch.OpenSearchClient;

/**
 * Span and summary indices of a prefix of their own on a real OpenSearch node, written through the
 * index sink's write path: {@link SpanDocumentMapper} with the default attribute allowlist (plus
 * keys a test names), {@link SummaryIndexResolver}, {@link BulkActions} and {@link BulkIndexer},
 * the templates and summary script installed as the sink installs them.
 */
public final class OpenSearchStoreFixture implements AutoCloseable {
  private final OpenSearchConnection connection;
  private final IndexLayout layout;
  private final SpanDocumentMapper mapper;
  private final SummaryIndexResolver resolver;
  private final BulkActions actions;
  private final BulkIndexer indexer;

  private OpenSearchStoreFixture(
      OpenSearchConnection connection, IndexLayout layout, Set<String> allowlist) {
    this.connection = connection;
    this.layout = layout;
    this.mapper = new SpanDocumentMapper(layout, allowlist);
    this.resolver = new SummaryIndexResolver(connection.client(), layout);
    this.actions = new BulkActions(layout);
    this.indexer = new BulkIndexer(connection.client(), 5000, 5L << 20, 1, new NoMetrics());
  }

  /**
   * @param extraAttributeKeys indexed besides {@link SpanDocumentMapper#DEFAULT_ALLOWLIST}
   */
  public static OpenSearchStoreFixture start(LocalOpenSearch node, Set<String> extraAttributeKeys)
      throws IOException {
    IndexLayout layout = new IndexLayout(UniqueNames.unique("store"));
    OpenSearchConnection connection = OpenSearchConnection.open(settings(node));
    IndexTemplates.install(connection.client(), new TemplateSettings(layout, 1, 0, "1s", 256));
    Set<String> allowlist = new HashSet<>(SpanDocumentMapper.DEFAULT_ALLOWLIST);
    allowlist.addAll(extraAttributeKeys);
    return new OpenSearchStoreFixture(connection, layout, allowlist);
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
    List<TraceDocuments> documents = traces.stream().map(mapper::map).toList();
    Map<String, String> summaryIndex =
        resolver.resolve(documents.stream().map(TraceDocuments::summary).toList());
    List<PendingAction<Integer>> pending = new ArrayList<>();
    for (int i = 0; i < documents.size(); i++) {
      pending.addAll(actions.of(i, documents.get(i), summaryIndex));
    }
    for (int attempt = 0; !pending.isEmpty(); attempt++) {
      BulkIndexer.Outcome<Integer> outcome = indexer.index(pending);
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
    public void indexed(boolean summary) {}

    @Override
    public void bulkError(String type, int count) {}

    @Override
    public void bulkSplit() {}
  }
}
