package io.spanline.query.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spanline.localinfra.opensearch.LocalOpenSearch;
import io.spanline.query.QueryServiceApp;
import io.spanline.query.config.QueryConfigLoader;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.DecisionOutcome;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.model.SamplingDecision;
import io.spanline.storage.opensearch.TraceIndexWriter;
import io.spanline.storage.opensearch.testing.OpenSearchStoreFixture;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Test setup of the query service over real data: traces go as kept traces through the index sink's
 * write path into a real OpenSearch node (every attribute key indexed), then a query service reads
 * that index. Plus a small HTTP client for the APIs.
 */
public final class QueryFixture {
  public static final ObjectMapper JSON = new ObjectMapper();

  /**
   * HTTP/1.1: the JDK client's cleartext HTTP/2 upgrade misreads a large answer now and then
   * ("Frame type(57) … exceeds MAX_FRAME_SIZE" on a 3 MB /metrics).
   */
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private QueryFixture() {}

  /**
   * Indexes the traces as kept traces through the index sink's write path (every attribute key
   * indexed), refreshed so that reads see them.
   *
   * @return the index prefix they were written under
   */
  public static String index(LocalOpenSearch node, List<AssembledTrace> traces) throws Exception {
    return index(node, traces, traces.stream().map(t -> List.of("all")).toList());
  }

  /**
   * As {@link #index(LocalOpenSearch, List)}, each trace kept by the sampling policies named at its
   * position in {@code policies}.
   */
  public static String index(
      LocalOpenSearch node, List<AssembledTrace> traces, List<List<String>> policies)
      throws Exception {
    try (OpenSearchStoreFixture store =
        OpenSearchStoreFixture.start(node, Set.of(TraceIndexWriter.ALL_KEYS))) {
      List<SampledTrace> kept = new ArrayList<>();
      for (int i = 0; i < traces.size(); i++) {
        AssembledTrace t = traces.get(i);
        kept.add(
            new SampledTrace(
                t,
                new SamplingDecision(
                    t.tenant(), t.traceId(), DecisionOutcome.KEEP, policies.get(i), 1.0, 0L)));
      }
      store.write(kept);
      return store.layout().prefix();
    }
  }

  /** A query service on a random port over the index, archive off, plus {@code settings}. */
  public static QueryServiceApp start(LocalOpenSearch node, String prefix, String... settings) {
    return start(node, prefix, Map.of(), settings);
  }

  /** As {@link #start(LocalOpenSearch, String, String...)} with environment variables. */
  public static QueryServiceApp start(
      LocalOpenSearch node, String prefix, Map<String, String> env, String... settings) {
    Map<String, String> q = new LinkedHashMap<>();
    q.put("spanline.query.opensearch.hosts", node.uri().toString());
    q.put("spanline.query.index.prefix", prefix);
    q.put("spanline.query.archive.enabled", "false");
    q.put("spanline.query.http.bind.address", "127.0.0.1");
    q.put("spanline.query.http.port", "0");
    q.put("spanline.query.admin.bind.address", "127.0.0.1");
    q.put("spanline.query.admin.port", "0");
    for (int i = 0; i < settings.length; i += 2) {
      q.put("spanline.query." + settings[i], settings[i + 1]);
    }
    return QueryServiceApp.start(QueryConfigLoader.load(env, q));
  }

  /** GET on the API port with the query parameters and headers (name, value, …). */
  public static HttpResponse<byte[]> get(
      QueryServiceApp app, String path, Map<String, String> params, String... headers)
      throws Exception {
    String query =
        params.entrySet().stream()
            .map(
                e ->
                    URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                        + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
            .collect(Collectors.joining("&"));
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
            URI.create(
                "http://127.0.0.1:" + app.port() + path + (query.isEmpty() ? "" : "?" + query)));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** GET as a tenant ({@code X-Scope-OrgID}). */
  public static HttpResponse<byte[]> getAs(
      QueryServiceApp app, String tenant, String path, Map<String, String> params)
      throws Exception {
    return get(app, path, params, "X-Scope-OrgID", tenant);
  }

  /** The JSON body of a 200 answer. */
  public static JsonNode ok(HttpResponse<byte[]> r) throws Exception {
    assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  /** The error message of a 400 answer. */
  public static String badRequest(HttpResponse<byte[]> r) throws Exception {
    assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(400);
    return JSON.readTree(r.body()).at("/error/message").asText();
  }

  /** {@code base} plus the key/value pairs. */
  public static Map<String, String> with(Map<String, String> base, String... kv) {
    Map<String, String> m = new LinkedHashMap<>(base);
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }
}
