package io.spanline.storage.opensearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spanline.storage.opensearch.internal.document.SummaryScript;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Map;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch._types.BuiltinScriptLanguage;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.generic.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composable index templates of the span, trace fragment and trace summary indices, from {@code
 * index-templates/spans.json}, {@code fragments.json} and {@code traces.json} with the configured
 * index patterns, shards, replicas, refresh interval and keyword length applied. {@link #install}
 * puts all three (an index template only shapes indices created after it, so putting it again on
 * every start is safe and keeps the mapping current after an upgrade) and the stored {@link
 * SummaryScript}.
 */
public final class IndexTemplates {
  private static final Logger LOG = LoggerFactory.getLogger(IndexTemplates.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private IndexTemplates() {}

  /** The span index template body. */
  static ObjectNode spans(TemplateSettings config) {
    return shape("spans.json", config.layout().spanIndexPattern(), config);
  }

  /** The trace fragment index template body. */
  static ObjectNode fragments(TemplateSettings config) {
    return shape("fragments.json", config.layout().fragmentIndexPattern(), config);
  }

  /** The trace summary index template body. */
  static ObjectNode traces(TemplateSettings config) {
    return shape("traces.json", config.layout().traceIndexPattern(), config);
  }

  /**
   * Puts the three templates and the summary merge script.
   *
   * @throws IOException if OpenSearch cannot be reached
   * @throws IllegalStateException if OpenSearch refuses a template (the message carries its answer)
   */
  public static void install(OpenSearchClient client, TemplateSettings config) throws IOException {
    IndexLayout layout = config.layout();
    put(client, "/_index_template/" + layout.spanTemplateName(), spans(config));
    put(client, "/_index_template/" + layout.fragmentTemplateName(), fragments(config));
    put(client, "/_index_template/" + layout.traceTemplateName(), traces(config));
    addNewFieldsToExistingIndices(client, layout.spanIndexPattern(), spans(config));
    addNewFieldsToExistingIndices(client, layout.fragmentIndexPattern(), fragments(config));
    addNewFieldsToExistingIndices(client, layout.traceIndexPattern(), traces(config));
    client.putScript(
        p ->
            p.id(SummaryScript.id(layout.prefix()))
                .script(
                    s ->
                        s.lang(l -> l.builtin(BuiltinScriptLanguage.Painless))
                            .source(SummaryScript.SOURCE)));
    LOG.info(
        "Index templates {}, {} and {} and script {} installed ({} shards, {} replicas, refresh {})",
        layout.spanTemplateName(),
        layout.fragmentTemplateName(),
        layout.traceTemplateName(),
        SummaryScript.id(layout.prefix()),
        config.shards(),
        config.replicas(),
        config.refreshInterval());
  }

  /**
   * Puts the template's field mappings on the indices that already exist, so that fields added by
   * an upgrade (the mappings are strict) can be written into today's index too. Mappings only grow;
   * where an existing index refuses (a changed field type), it keeps its mapping and a warning says
   * so.
   */
  private static void addNewFieldsToExistingIndices(
      OpenSearchClient client, String pattern, ObjectNode template) throws IOException {
    ObjectNode mapping = JSON.createObjectNode();
    mapping.set("properties", template.path("template").path("mappings").path("properties"));
    try {
      put(
          client,
          "/" + pattern + "/_mapping?allow_no_indices=true&ignore_unavailable=true",
          mapping);
    } catch (IllegalStateException e) {
      LOG.warn("Existing indices {} keep their mapping: {}", pattern, e.getMessage());
    }
  }

  static void put(OpenSearchClient client, String endpoint, JsonNode body) throws IOException {
    try (Response response =
        client
            .generic()
            .execute(
                Requests.builder()
                    .method("PUT")
                    .endpoint(endpoint)
                    .json(JSON.writeValueAsString(body))
                    .build())) {
      if (response.getStatus() / 100 != 2) {
        throw new IllegalStateException(
            "OpenSearch refused PUT "
                + endpoint
                + ": HTTP "
                + response.getStatus()
                + " "
                + response.getBody().map(b -> b.bodyAsString()).orElse(""));
      }
    }
  }

  private static ObjectNode shape(String resource, String pattern, TemplateSettings config) {
    ObjectNode template = load(resource);
    ArrayNode patterns = template.putArray("index_patterns");
    patterns.add(pattern);
    ObjectNode settings = (ObjectNode) template.path("template").path("settings");
    settings.put("index.number_of_shards", config.shards());
    settings.put("index.number_of_replicas", config.replicas());
    settings.put("index.refresh_interval", config.refreshInterval());
    boundKeywords(template.path("template").path("mappings"), config.keywordMaxLength());
    return template;
  }

  /** Sets {@code ignore_above} on every keyword field and template that has one. */
  private static void boundKeywords(JsonNode node, int maxLength) {
    if (node instanceof ObjectNode object) {
      if (object.has("ignore_above")) {
        object.put("ignore_above", maxLength);
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
        boundKeywords(it.next().getValue(), maxLength);
      }
    } else if (node instanceof ArrayNode array) {
      array.forEach(n -> boundKeywords(n, maxLength));
    }
  }

  private static ObjectNode load(String resource) {
    try (InputStream in =
        IndexTemplates.class.getResourceAsStream("/index-templates/" + resource)) {
      if (in == null) {
        throw new IllegalStateException("index-templates/" + resource + " is not on the classpath");
      }
      return (ObjectNode) JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read index-templates/" + resource, e);
    }
  }
}
