package io.spanline.storage.opensearch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.junit.UniqueNames;
import io.spanline.localinfra.opensearch.LocalOpenSearch;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.opensearch.client.opensearch.OpenSearchClient;

/** Installing the templates upgrades the mapping of indices an older version created. */
@ExtendWith(LocalInfraExtension.class)
class IndexTemplatesIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void addsNewFieldsToAnExistingSpanIndex_soTodaysIndexTakesThemAtOnce(LocalOpenSearch node)
      throws Exception {
    String prefix = UniqueNames.unique("upgrade");
    TemplateSettings config = new TemplateSettings(new IndexLayout(prefix), 1, 0, "5s", 256);
    try (OpenSearchConnection connection =
        OpenSearchConnection.open(
            new OpenSearchSettings(List.of(node.uri()), "", "", Duration.ofSeconds(30)))) {
      OpenSearchClient client = connection.client();
      // Given a span index made by an older template, strict, without the newer fields
      ObjectNode old = IndexTemplates.spans(config);
      ObjectNode mappings = (ObjectNode) old.path("template").path("mappings");
      ((ObjectNode) mappings.path("properties")).remove(Fields.PARENT_SERVICE);
      ((ObjectNode) mappings.path("properties")).remove(Fields.TAG_KEYS);
      ((ObjectNode) mappings.path("properties")).remove(Fields.LINKED_TRACE_IDS);
      ((ObjectNode) mappings.path("properties")).remove(Fields.LINKED_SPANS);
      ObjectNode body = JSON.createObjectNode();
      body.set("mappings", mappings);
      String index = prefix + "-spans-2026-01-01";
      IndexTemplates.put(client, "/" + index, body);
      assertThat(fields(client, index)).doesNotContainKeys(Fields.PARENT_SERVICE);

      // When the sink installs its templates
      IndexTemplates.install(client, config);

      // Then the index has the new fields
      assertThat(fields(client, index))
          .containsKeys(
              Fields.PARENT_SERVICE, Fields.TAG_KEYS, Fields.LINKED_TRACE_IDS, Fields.LINKED_SPANS);
    }
  }

  private static Map<String, ?> fields(OpenSearchClient client, String index) throws Exception {
    return client
        .indices()
        .getMapping(m -> m.index(index))
        .result()
        .get(index)
        .mappings()
        .properties();
  }
}
