package io.spanline.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link SchemaRegistryClient} over the Confluent Schema Registry REST API (content type {@code
 * application/vnd.schemaregistry.v1+json}), with the JDK's HTTP client and Jackson. Both lookups
 * are cached for the life of the client: a schema ID never changes meaning, and a subject's ID for
 * a given schema text never changes either.
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {
  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI baseUri;
  private final Duration timeout;
  private final HttpClient http;
  private final Map<String, Map<String, Integer>> idsBySubject = new ConcurrentHashMap<>();
  private final Map<Integer, String> schemasById = new ConcurrentHashMap<>();

  /**
   * @param baseUri the registry's URL, e.g. {@code http://127.0.0.1:8081}
   * @param timeout for connecting and for each request
   * @throws IllegalArgumentException if the URI is not http(s) or the timeout is not positive
   */
  public RestSchemaRegistryClient(URI baseUri, Duration timeout) {
    Objects.requireNonNull(baseUri, "baseUri");
    Objects.requireNonNull(timeout, "timeout");
    if (!"http".equals(baseUri.getScheme()) && !"https".equals(baseUri.getScheme())) {
      throw new IllegalArgumentException(
          "schema registry URL must be http or https, was '" + baseUri + "'");
    }
    if (timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException("schema registry timeout must be > 0, was " + timeout);
    }
    String base = baseUri.toString();
    this.baseUri = URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  @Override
  public int register(String subject, String schema) {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(schema, "schema");
    Map<String, Integer> ids =
        idsBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>());
    Integer cached = ids.get(schema);
    if (cached != null) {
      return cached;
    }
    String body;
    try {
      body = JSON.writeValueAsString(Map.of("schema", schema, "schemaType", "AVRO"));
    } catch (IOException e) {
      throw new IllegalStateException("cannot write a JSON request body", e);
    }
    String path = "/subjects/" + URLEncoder.encode(subject, StandardCharsets.UTF_8) + "/versions";
    JsonNode answer =
        send(
            "POST",
            path,
            HttpRequest.BodyPublishers.ofString(body),
            "registering a schema under subject '" + subject + "'");
    JsonNode id = answer.get("id");
    if (id == null || !id.canConvertToInt()) {
      throw incomplete("POST", path, "an integer id");
    }
    ids.put(schema, id.intValue());
    schemasById.putIfAbsent(id.intValue(), schema);
    return id.intValue();
  }

  @Override
  public String schemaById(int id) {
    String cached = schemasById.get(id);
    if (cached != null) {
      return cached;
    }
    String path = "/schemas/ids/" + id;
    JsonNode answer =
        send("GET", path, HttpRequest.BodyPublishers.noBody(), "fetching schema ID " + id);
    JsonNode schema = answer.get("schema");
    if (schema == null || !schema.isTextual()) {
      throw incomplete("GET", path, "a schema");
    }
    schemasById.putIfAbsent(id, schema.textValue());
    return schema.textValue();
  }

  /** A 2xx answer that lacks the field the API promises. */
  private SchemaRegistryException incomplete(String method, String path, String missing) {
    return new SchemaRegistryException(
        "schema registry " + baseUri + " answered " + method + " " + path + " without " + missing,
        200,
        0,
        null);
  }

  private JsonNode send(
      String method, String path, HttpRequest.BodyPublisher body, String whatFor) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(baseUri + path))
            .timeout(timeout)
            .header("Accept", CONTENT_TYPE)
            .header("Content-Type", CONTENT_TYPE)
            .method(method, body)
            .build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new SchemaRegistryException(
          "schema registry "
              + baseUri
              + " could not be reached while "
              + whatFor
              + " ("
              + method
              + " "
              + path
              + "): "
              + e,
          0,
          0,
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SchemaRegistryException(
          "interrupted while " + whatFor + " at schema registry " + baseUri, 0, 0, e);
    }
    JsonNode json = parse(response.body());
    if (response.statusCode() / 100 != 2) {
      int errorCode = json.path("error_code").asInt(0);
      String message = json.path("message").asText(response.body());
      throw new SchemaRegistryException(
          "schema registry "
              + baseUri
              + " answered HTTP "
              + response.statusCode()
              + (errorCode != 0 ? " (error_code " + errorCode + ")" : "")
              + " while "
              + whatFor
              + " ("
              + method
              + " "
              + path
              + "): "
              + message,
          response.statusCode(),
          errorCode,
          null);
    }
    return json;
  }

  private static JsonNode parse(String body) {
    try {
      return body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
    } catch (IOException e) {
      return JSON.createObjectNode();
    }
  }
}
