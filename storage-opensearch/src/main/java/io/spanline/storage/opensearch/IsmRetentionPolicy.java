package io.spanline.storage.opensearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.generic.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hot retention by OpenSearch's Index State Management plugin, where it is installed: a policy
 * {@code <prefix>-hot-retention} that deletes span, fragment and summary indices once they are
 * older than the retention, attached to new indices by its {@code ism_template}. Without the plugin
 * (the embedded node has none) nothing is installed and {@link RetentionJob} alone keeps the
 * retention.
 */
public final class IsmRetentionPolicy {
  /** The plugin's component name in {@code _cat/plugins}. */
  public static final String PLUGIN = "opensearch-index-management";

  private static final Logger LOG = LoggerFactory.getLogger(IsmRetentionPolicy.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private IsmRetentionPolicy() {}

  /** {@code <prefix>-hot-retention}. */
  public static String policyId(IndexLayout layout) {
    return layout.prefix() + "-hot-retention";
  }

  /** The policy document (ISM API {@code PUT _plugins/_ism/policies/<id>}). */
  public static ObjectNode policy(IndexLayout layout, Duration retention) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode policy = root.putObject("policy");
    policy.put(
        "description",
        "Spanline: delete span, trace fragment and trace summary indices older than "
            + retention.toDays()
            + "d");
    policy.put("default_state", "hot");
    ArrayNode states = policy.putArray("states");
    ObjectNode hot = states.addObject().put("name", "hot");
    hot.putArray("actions");
    hot.putArray("transitions")
        .addObject()
        .put("state_name", "delete")
        .putObject("conditions")
        .put("min_index_age", retention.toDays() + "d");
    ObjectNode delete = states.addObject().put("name", "delete");
    delete.putArray("actions").addObject().putObject("delete");
    delete.putArray("transitions");
    ObjectNode template = policy.putArray("ism_template").addObject();
    template
        .putArray("index_patterns")
        .add(layout.spanIndexPattern())
        .add(layout.fragmentIndexPattern())
        .add(layout.traceIndexPattern());
    template.put("priority", 100);
    return root;
  }

  /**
   * Installs (or updates) the policy when the ISM plugin is installed.
   *
   * @return whether the plugin is installed
   * @throws IOException if OpenSearch cannot be reached
   * @throws IllegalStateException if OpenSearch refuses the policy
   */
  public static boolean installIfAvailable(
      OpenSearchClient client, IndexLayout layout, Duration retention) throws IOException {
    boolean installed =
        client.cat().plugins().valueBody().stream().anyMatch(p -> PLUGIN.equals(p.component()));
    if (!installed) {
      LOG.info(
          "OpenSearch has no {} plugin: the sink's retention job alone deletes indices older than"
              + " {} days",
          PLUGIN,
          retention.toDays());
      return false;
    }
    String endpoint = "/_plugins/_ism/policies/" + policyId(layout);
    Map<String, String> query = Map.of();
    try (Response existing = send(client, "GET", endpoint, Map.of(), null)) {
      if (existing.getStatus() == 200) {
        JsonNode current = JSON.readTree(existing.getBody().orElseThrow().bodyAsBytes());
        query =
            Map.of(
                "if_seq_no", current.path("_seq_no").asText(),
                "if_primary_term", current.path("_primary_term").asText());
      }
    }
    try (Response put =
        send(client, "PUT", endpoint, query, JSON.writeValueAsString(policy(layout, retention)))) {
      if (put.getStatus() / 100 != 2) {
        throw new IllegalStateException(
            "OpenSearch refused the ISM policy "
                + policyId(layout)
                + ": HTTP "
                + put.getStatus()
                + " "
                + put.getBody().map(b -> b.bodyAsString()).orElse(""));
      }
    }
    LOG.info("ISM policy {} installed: delete after {} days", policyId(layout), retention.toDays());
    return true;
  }

  private static Response send(
      OpenSearchClient client,
      String method,
      String endpoint,
      Map<String, String> query,
      String body)
      throws IOException {
    Requests.JsonBodyBuilder request =
        Requests.builder().method(method).endpoint(endpoint).query(query);
    if (body != null) {
      request.json(body);
    }
    return client.generic().execute(request.build());
  }
}
