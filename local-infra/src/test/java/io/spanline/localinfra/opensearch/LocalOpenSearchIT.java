package io.spanline.localinfra.opensearch;

import static io.spanline.localinfra.junit.UniqueNames.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.localinfra.junit.LocalInfraExtension;
import java.util.List;
import java.util.Map;
import org.apache.hc.core5.http.HttpHost;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch._types.Refresh;
import org.opensearch.client.opensearch._types.mapping.Property;
import org.opensearch.client.opensearch._types.mapping.TypeMapping;
import org.opensearch.client.opensearch.core.BulkRequest;
import org.opensearch.client.opensearch.core.BulkResponse;
import org.opensearch.client.opensearch.core.SearchResponse;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5Transport;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5TransportBuilder;

@ExtendWith(LocalInfraExtension.class)
class LocalOpenSearchIT {
  private static ApacheHttpClient5Transport transport;
  private static OpenSearchClient client;

  record Doc(String service, long durationMs) {}

  @BeforeAll
  static void connect(LocalOpenSearch node) {
    transport =
        ApacheHttpClient5TransportBuilder.builder(
                new HttpHost("http", "127.0.0.1", node.httpPort()))
            .build();
    client = new OpenSearchClient(transport);
  }

  @AfterAll
  static void disconnect() throws Exception {
    transport.close();
  }

  @Test
  void createsIndexWithMapping_bulkIndexes_searches_andDeletes() throws Exception {
    String index = unique("spans");
    TypeMapping mapping =
        TypeMapping.of(
            m ->
                m.properties(
                    Map.of(
                        "service", Property.of(p -> p.keyword(k -> k)),
                        "durationMs", Property.of(p -> p.long_(l -> l)))));
    client.indices().create(c -> c.index(index).mappings(mapping));
    assertThat(
            client
                .indices()
                .getMapping(g -> g.index(index))
                .result()
                .get(index)
                .mappings()
                .properties())
        .containsKeys("service", "durationMs");

    List<Doc> docs =
        List.of(new Doc("checkout", 120), new Doc("checkout", 40), new Doc("payment", 900));
    BulkRequest.Builder bulk = new BulkRequest.Builder().refresh(Refresh.True);
    for (int i = 0; i < docs.size(); i++) {
      String id = "doc-" + i;
      Doc doc = docs.get(i);
      bulk.operations(op -> op.index(ix -> ix.index(index).id(id).document(doc)));
    }
    BulkResponse indexed = client.bulk(bulk.build());
    assertThat(indexed.errors()).isFalse();
    assertThat(indexed.items()).hasSize(3);

    SearchResponse<Doc> slowCheckouts =
        client.search(
            s ->
                s.index(index)
                    .query(
                        q ->
                            q.bool(
                                b ->
                                    b.filter(
                                            f ->
                                                f.term(
                                                    t ->
                                                        t.field("service")
                                                            .value(v -> v.stringValue("checkout"))))
                                        .filter(
                                            f ->
                                                f.range(
                                                    r ->
                                                        r.field("durationMs")
                                                            .gte(
                                                                org.opensearch.client.json.JsonData
                                                                    .of(100)))))),
            Doc.class);
    assertThat(slowCheckouts.hits().hits())
        .singleElement()
        .satisfies(h -> assertThat(h.id()).isEqualTo("doc-0"));

    client.indices().delete(d -> d.index(index));
    assertThat(client.indices().exists(e -> e.index(index)).value()).isFalse();
  }
}
