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
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;

/**
 * A {@link SchemaRegistryClient} over the Confluent Schema Registry REST API (content type {@code
 * application/vnd.schemaregistry.v1+json}), with the JDK's HTTP client and Jackson. Both lookups
 * are cached for the life of the client: a schema ID never changes meaning, and a subject's ID for
 * a given schema text never changes either.
 *
 * <p>Over HTTPS the client trusts the JDK's CAs or the {@link SSLContext} it is given, and it may
 * authenticate with HTTP basic auth (Confluent's {@code basic.auth.user.info}) or a bearer token
 * (Confluent's {@code bearer.auth.token}), sent as the {@code Authorization} header of every
 * request (RFC 7617, RFC 6750).
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {
  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI baseUri;
  private final Duration timeout;
  private final HttpClient http;
  private final Optional<String> authorization;
  private final Map<String, Map<String, Integer>> idsBySubject = new ConcurrentHashMap<>();
  private final Map<Integer, String> schemasById = new ConcurrentHashMap<>();

  /**
   * Plain HTTP or HTTPS with the JDK's CAs, no authentication.
   *
   * @param baseUri the registry's URL, e.g. {@code http://127.0.0.1:8081}
   * @param timeout for connecting and for each request
   * @throws IllegalArgumentException if the URI is not http(s) or the timeout is not positive
   */
  public RestSchemaRegistryClient(URI baseUri, Duration timeout) {
    this(builder(baseUri).timeout(timeout));
  }

  private RestSchemaRegistryClient(Builder b) {
    Objects.requireNonNull(b.timeout, "timeout");
    if (!"http".equals(b.baseUri.getScheme()) && !"https".equals(b.baseUri.getScheme())) {
      throw new IllegalArgumentException(
          "schema registry URL must be http or https, was '" + b.baseUri + "'");
    }
    if (b.timeout.isZero() || b.timeout.isNegative()) {
      throw new IllegalArgumentException("schema registry timeout must be > 0, was " + b.timeout);
    }
    String base = b.baseUri.toString();
    this.baseUri = URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
    this.timeout = b.timeout;
    HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(b.timeout);
    if (b.sslContext != null) {
      http.sslContext(b.sslContext);
    }
    this.http = http.build();
    this.authorization = Optional.ofNullable(b.authorization);
  }

  /**
   * A client to configure beyond {@link #RestSchemaRegistryClient(URI, Duration)}: TLS trust and
   * authentication.
   *
   * @param baseUri the registry's URL, e.g. {@code https://registry.example:8081}
   */
  public static Builder builder(URI baseUri) {
    return new Builder(Objects.requireNonNull(baseUri, "baseUri"));
  }

  /** Options of a {@link RestSchemaRegistryClient}; at most one of basic auth and bearer token. */
  public static final class Builder {
    private final URI baseUri;
    private Duration timeout = Duration.ofSeconds(10);
    private SSLContext sslContext;
    private String authorization;

    private Builder(URI baseUri) {
      this.baseUri = baseUri;
    }

    /** For connecting and for each request; 10 s unless set. */
    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /** The TLS material of HTTPS URLs (trusted CAs, client certificate). */
    public Builder sslContext(SSLContext sslContext) {
      this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
      return this;
    }

    /**
     * HTTP basic authentication (RFC 7617), UTF-8.
     *
     * @throws IllegalArgumentException if the user is empty or contains a colon
     */
    public Builder basicAuth(String username, String password) {
      if (username.isEmpty() || username.contains(":")) {
        throw new IllegalArgumentException(
            "a basic-auth user name must be non-empty and without ':'");
      }
      String pair = username + ":" + Objects.requireNonNull(password, "password");
      this.authorization =
          "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
      return this;
    }

    /** A bearer token (RFC 6750), e.g. an OAuth access token. */
    public Builder bearerToken(String token) {
      if (token.isBlank()) {
        throw new IllegalArgumentException("a bearer token must not be empty");
      }
      this.authorization = "Bearer " + token.strip();
      return this;
    }

    /**
     * @throws IllegalArgumentException if the URI is not http(s) or the timeout is not positive
     */
    public RestSchemaRegistryClient build() {
      return new RestSchemaRegistryClient(this);
    }
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

  /**
   * Lists the registry's subjects ({@code GET /subjects}) to check that it answers and accepts the
   * client's credentials and TLS.
   *
   * @throws SchemaRegistryException when it cannot be reached or answers other than 2xx
   */
  public void verify() {
    send("GET", "/subjects", HttpRequest.BodyPublishers.noBody(), "checking the connection");
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
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create(baseUri + path))
            .timeout(timeout)
            .header("Accept", CONTENT_TYPE)
            .header("Content-Type", CONTENT_TYPE)
            .method(method, body);
    authorization.ifPresent(a -> builder.header("Authorization", a));
    HttpRequest request = builder.build();
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
              + message
              + (response.statusCode() == 401 || response.statusCode() == 403
                  ? (authorization.isEmpty()
                      ? " (the registry wants credentials: basic auth or a bearer token)"
                      : " (the registry refused the credentials)")
                  : ""),
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
