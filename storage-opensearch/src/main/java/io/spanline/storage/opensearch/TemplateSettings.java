package io.spanline.storage.opensearch;

import java.util.Objects;

/**
 * What the index templates apply to every span and trace summary index created after them.
 *
 * @param layout index names and patterns
 * @param shards primary shards per daily index
 * @param replicas replicas per shard
 * @param refreshInterval OpenSearch's {@code index.refresh_interval}, e.g. {@code 5s}
 * @param keywordMaxLength keyword values longer than this (chars) are stored but not indexed
 */
public record TemplateSettings(
    IndexLayout layout, int shards, int replicas, String refreshInterval, int keywordMaxLength) {
  public TemplateSettings {
    Objects.requireNonNull(layout, "layout");
    Objects.requireNonNull(refreshInterval, "refreshInterval");
  }
}
