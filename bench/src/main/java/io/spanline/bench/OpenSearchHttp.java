package io.spanline.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The few OpenSearch calls the end-to-end benchmark makes from outside every system it measures
 * (the same for Spanline and Zipkin): counts, store sizes, raw bulk bodies, trace lookups.
 */
final class OpenSearchHttp {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final URI base;

  OpenSearchHttp(URI base) {
    this.base = base;
  }

  /** Documents in the indices matching {@code pattern}; 0 while none exists. */
  long count(String pattern) throws IOException, InterruptedException {
    JsonNode answer = call("GET", "/" + pattern + "/_count?ignore_unavailable=true", null);
    return answer.path("count").asLong(0);
  }

  /**
   * Primary store bytes of the indices matching {@code pattern}, after a refresh, a flush and a
   * force merge to one segment (so both systems are measured in the same settled state).
   */
  long settledStoreBytes(String pattern) throws IOException, InterruptedException {
    call("POST", "/" + pattern + "/_refresh", null);
    call("POST", "/" + pattern + "/_flush", null);
    call("POST", "/" + pattern + "/_forcemerge?max_num_segments=1", null);
    // until a refresh and a flush after the merge, the merged-away segments still count
    call("POST", "/" + pattern + "/_refresh", null);
    call("POST", "/" + pattern + "/_flush", null);
    JsonNode stats = call("GET", "/" + pattern + "/_stats/store", null);
    return stats.path("_all").path("primaries").path("store").path("size_in_bytes").asLong();
  }

  /**
   * The node's cumulative work counters (one node), from {@code GET /_nodes/_local/stats}: where
   * its time goes between two readings, per document indexed.
   *
   * @param indexMillis time spent in index operations on primaries and replicas, ms (wall clock)
   * @param indexed documents indexed
   * @param refreshMillis time spent refreshing, ms; {@code refreshes} how many
   * @param mergeMillis time spent merging segments, ms; {@code mergedBytes} what merges read
   * @param flushMillis time spent flushing, ms
   * @param gcMillis time in garbage collection (every collector), ms; {@code gcs} how many
   */
  record NodeWork(
      long indexMillis,
      long indexed,
      long refreshMillis,
      long refreshes,
      long mergeMillis,
      long mergedBytes,
      long flushMillis,
      long gcMillis,
      long gcs) {
    NodeWork minus(NodeWork o) {
      return new NodeWork(
          indexMillis - o.indexMillis,
          indexed - o.indexed,
          refreshMillis - o.refreshMillis,
          refreshes - o.refreshes,
          mergeMillis - o.mergeMillis,
          mergedBytes - o.mergedBytes,
          flushMillis - o.flushMillis,
          gcMillis - o.gcMillis,
          gcs - o.gcs);
    }

    /** One line: each counter per document indexed (µs) and in all. */
    String describe() {
      double docs = Math.max(1, indexed);
      return String.format(
          java.util.Locale.ROOT,
          "node work: %d documents indexed; indexing %.0f µs/doc (%.1f s); %d refreshes %.1f s"
              + " (%.0f µs/doc); merges %.1f s over %d MiB (%.0f µs/doc); flushes %.1f s;"
              + " GC %d collections %.1f s (%.0f µs/doc)",
          indexed,
          indexMillis * 1e3 / docs,
          indexMillis / 1e3,
          refreshes,
          refreshMillis / 1e3,
          refreshMillis * 1e3 / docs,
          mergeMillis / 1e3,
          mergedBytes >> 20,
          mergeMillis * 1e3 / docs,
          flushMillis / 1e3,
          gcs,
          gcMillis / 1e3,
          gcMillis * 1e3 / docs);
    }
  }

  /** The node's work counters now. */
  NodeWork nodeWork() throws IOException, InterruptedException {
    JsonNode node =
        call("GET", "/_nodes/_local/stats/indices,jvm", null).path("nodes").elements().next();
    JsonNode indices = node.path("indices");
    long gcMillis = 0;
    long gcs = 0;
    for (JsonNode collector : node.path("jvm").path("gc").path("collectors")) {
      gcMillis += collector.path("collection_time_in_millis").asLong();
      gcs += collector.path("collection_count").asLong();
    }
    return new NodeWork(
        indices.path("indexing").path("index_time_in_millis").asLong(),
        indices.path("indexing").path("index_total").asLong(),
        indices.path("refresh").path("total_time_in_millis").asLong(),
        indices.path("refresh").path("total").asLong(),
        indices.path("merges").path("total_time_in_millis").asLong(),
        indices.path("merges").path("total_size_in_bytes").asLong(),
        indices.path("flush").path("total_time_in_millis").asLong(),
        gcMillis,
        gcs);
  }

  /** {@code DELETE path}, e.g. indices by pattern. */
  void delete(String path) throws IOException, InterruptedException {
    call("DELETE", path, null);
  }

  /** {@code PUT path} with a JSON body, e.g. an index with its settings and mapping. */
  void put(String path, String json) throws IOException, InterruptedException {
    call("PUT", path, json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /**
   * Sends one {@code _bulk} body (NDJSON); fails if any item failed for another reason than an
   * overloaded node. A body answered 429, or with items refused 429, is sent again whole (every
   * action is idempotent: indexing under fixed IDs, summary upserts that apply a fragment once),
   * after 0.5 s, 1 s, … up to 30 times, as the index sink retries: a loaded node's write queue
   * otherwise ended the round.
   */
  void bulk(byte[] ndjson) throws IOException, InterruptedException {
    for (int attempt = 1; ; attempt++) {
      if (!overloaded(ndjson)) {
        return;
      }
      if (attempt == 30) {
        throw new IOException("_bulk still answered 429 after " + attempt + " attempts");
      }
      Thread.sleep(500L * Math.min(attempt, 6));
    }
  }

  /** Sends the body once: false when done, true when OpenSearch was too busy (429). */
  private boolean overloaded(byte[] ndjson) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(base.resolve("/_bulk"))
            .timeout(Duration.ofMinutes(2))
            .header("Content-Type", "application/x-ndjson")
            .POST(HttpRequest.BodyPublishers.ofByteArray(ndjson))
            .build();
    HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() == 429) {
      return true;
    }
    if (response.statusCode() != 200) {
      throw new IOException("_bulk answered " + response.statusCode());
    }
    JsonNode answer = JSON.readTree(response.body());
    boolean busy = false;
    if (answer.path("errors").asBoolean()) {
      for (JsonNode item : answer.path("items")) {
        JsonNode result = item.elements().next();
        if (result.has("error")) {
          if (result.path("status").asInt() == 429) {
            busy = true;
          } else {
            throw new IOException("_bulk item failed: " + result.path("error"));
          }
        }
      }
    }
    return busy;
  }

  /**
   * How many span documents each of {@code traceIds} (hex) has in the indices matching {@code
   * pattern}, by one terms aggregation over the {@code field} holding the trace ID.
   */
  Map<String, Long> spansPerTrace(String pattern, String field, Collection<String> traceIds)
      throws IOException, InterruptedException {
    Map<String, Object> query =
        Map.of(
            "size", 0,
            "query", Map.of("terms", Map.of(field, traceIds)),
            "aggs",
                Map.of("t", Map.of("terms", Map.of("field", field, "size", traceIds.size() + 10))));
    JsonNode answer =
        call(
            "POST",
            "/" + pattern + "/_search?ignore_unavailable=true",
            JSON.writeValueAsBytes(query));
    Map<String, Long> out = new HashMap<>();
    for (JsonNode bucket : answer.path("aggregations").path("t").path("buckets")) {
      out.put(bucket.path("key").asText(), bucket.path("doc_count").asLong());
    }
    return out;
  }

  private JsonNode call(String method, String path, byte[] body)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.resolve(path))
            .timeout(Duration.ofMinutes(10))
            .header("Content-Type", "application/json");
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body));
    HttpResponse<byte[]> response = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() >= 300 && response.statusCode() != 404) {
      throw new IOException(
          method
              + " "
              + path
              + " answered "
              + response.statusCode()
              + ": "
              + new String(response.body(), java.nio.charset.StandardCharsets.UTF_8));
    }
    return JSON.readTree(response.body());
  }
}
