package io.spanline.allinone.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Notes when each trace of a tenant first becomes searchable: every 100 ms a search of the trace
 * summary indices (a pattern such as {@code <prefix>-traces-*}) for the tenant's documents, the
 * {@link System#nanoTime()} of the first search that returned a trace ID recorded against it.
 * Searches that fail (indices not created yet) are retried at the next tick.
 */
public final class SearchableWatch implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final Map<String, Long> seen = new ConcurrentHashMap<>();
  private final URI search;
  private final String body;

  private SearchableWatch(String indexPattern, String tenant) {
    this.search =
        URI.create(indexPattern + "/_search?ignore_unavailable=true&allow_no_indices=true");
    this.body =
        "{\"size\":1000,\"_source\":[\"traceId\"],\"query\":{\"term\":{\"tenant\":"
            + JSON.valueToTree(tenant)
            + "}}}";
  }

  /**
   * Starts watching.
   *
   * @param indexPattern the trace summary indices' URL, e.g. {@code
   *     http://127.0.0.1:9200/spanline-traces-*}
   */
  public static SearchableWatch start(String indexPattern, String tenant) {
    SearchableWatch w = new SearchableWatch(indexPattern, tenant);
    w.timer.scheduleWithFixedDelay(w::poll, 0, 100, TimeUnit.MILLISECONDS);
    return w;
  }

  /** Trace IDs (hex) seen so far, with the {@link System#nanoTime()} they were first seen. */
  public Map<String, Long> seen() {
    return Map.copyOf(seen);
  }

  private void poll() {
    try {
      HttpResponse<String> answer =
          HTTP.send(
              HttpRequest.newBuilder(search)
                  .timeout(Duration.ofSeconds(5))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      long now = System.nanoTime();
      if (answer.statusCode() != 200) {
        return;
      }
      for (JsonNode hit : JSON.readTree(answer.body()).path("hits").path("hits")) {
        String trace = hit.path("_source").path("traceId").asText("");
        if (!trace.isEmpty()) {
          seen.putIfAbsent(trace, now);
        }
      }
    } catch (Exception e) {
      // not searchable yet (or the node is busy): the next tick tries again
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
