package io.spanline.storage.opensearch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IndexTemplatesTest {
  private final TemplateSettings config =
      new TemplateSettings(new IndexLayout("traces-prod"), 3, 2, "5s", 100);

  @Test
  void spanTemplateCoversThePrefixesIndices_withConfiguredSettings() {
    ObjectNode spans = IndexTemplates.spans(config);

    assertThat(spans.get("index_patterns").get(0).asText()).isEqualTo("traces-prod-spans-*");
    JsonNode settings = spans.at("/template/settings");
    assertThat(settings.get("index.number_of_shards").asInt()).isEqualTo(3);
    assertThat(settings.get("index.number_of_replicas").asInt()).isEqualTo(2);
    JsonNode properties = spans.at("/template/mappings/properties");
    for (String field :
        List.of(
            Fields.TENANT,
            Fields.TRACE_ID,
            Fields.SPAN_ID,
            Fields.SERVICE,
            Fields.NAME,
            Fields.KIND,
            Fields.STATUS,
            Fields.START_TIME,
            Fields.DURATION_NANOS,
            Fields.LINKED_TRACE_IDS,
            Fields.LINKED_SPANS,
            Fields.OTLP)) {
      assertThat(properties.has(field)).as(field).isTrue();
    }
    assertThat(properties.at("/otlp/type").asText()).isEqualTo("binary");
    assertThat(properties.at("/linkedTraceIds/type").asText()).isEqualTo("keyword");
    assertThat(properties.at("/linkedSpans/type").asText()).isEqualTo("keyword");
  }

  @Test
  void boundsEveryKeyword() {
    List<Integer> bounds = new ArrayList<>();
    collect(IndexTemplates.spans(config), bounds);
    collect(IndexTemplates.fragments(config), bounds);
    collect(IndexTemplates.traces(config), bounds);

    assertThat(bounds).isNotEmpty().containsOnly(100);
  }

  @Test
  void fragmentTemplateStoresTheSpansWithoutIndexingThem() {
    JsonNode template = IndexTemplates.fragments(config);
    JsonNode properties = template.at("/template/mappings/properties");

    assertThat(template.get("index_patterns").get(0).asText()).isEqualTo("traces-prod-fragments-*");
    assertThat(template.at("/template/settings/index.codec").asText())
        .isEqualTo("best_compression");
    assertThat(template.at("/template/settings/index.number_of_shards").asInt()).isEqualTo(3);
    assertThat(properties.at("/spans/type").asText()).isEqualTo("binary");
    assertThat(properties.at("/tenant/type").asText()).isEqualTo("keyword");
    assertThat(properties.at("/traceId/type").asText()).isEqualTo("keyword");
    assertThat(properties.at("/startTimeUnixNano/index").asBoolean()).isFalse();
    assertThat(properties.at("/spanCount/doc_values").asBoolean()).isFalse();
    assertThat(properties.has(Fields.FRAGMENT)).isTrue();
  }

  @Test
  void traceTemplateHoldsTheSummaryFields() {
    JsonNode properties = IndexTemplates.traces(config).at("/template/mappings/properties");

    assertThat(IndexTemplates.traces(config).get("index_patterns").get(0).asText())
        .isEqualTo("traces-prod-traces-*");
    for (String field :
        List.of(
            Fields.ROOT_SERVICE,
            Fields.ROOT_NAME,
            Fields.DURATION_NANOS,
            Fields.SPAN_COUNT,
            Fields.ERROR,
            Fields.SERVICES,
            Fields.SAMPLING_POLICIES,
            Fields.FRAGMENTS)) {
      assertThat(properties.has(field)).as(field).isTrue();
    }
  }

  @Test
  void ismPolicyDeletesEveryIndexKindAfterTheRetention() {
    JsonNode policy = IsmRetentionPolicy.policy(config.layout(), Duration.ofDays(7)).get("policy");

    assertThat(policy.at("/states/0/transitions/0/conditions/min_index_age").asText())
        .isEqualTo("7d");
    assertThat(policy.at("/states/1/actions/0").has("delete")).isTrue();
    assertThat(policy.at("/ism_template/0/index_patterns").toString())
        .isEqualTo(
            "[\"traces-prod-spans-*\",\"traces-prod-fragments-*\",\"traces-prod-traces-*\"]");
    assertThat(IsmRetentionPolicy.policyId(config.layout())).isEqualTo("traces-prod-hot-retention");
  }

  private static void collect(JsonNode node, List<Integer> bounds) {
    if (node.has("ignore_above")) {
      bounds.add(node.get("ignore_above").asInt());
    }
    node.forEach(child -> collect(child, bounds));
  }
}
