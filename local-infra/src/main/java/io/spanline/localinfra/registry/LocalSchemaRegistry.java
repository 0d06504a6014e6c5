package io.spanline.localinfra.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.annotation.Get;
import com.linecorp.armeria.server.annotation.Param;
import com.linecorp.armeria.server.annotation.Post;
import io.spanline.localinfra.Ports;
import io.spanline.localinfra.tls.HttpsFront;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A schema registry speaking the subset of the Confluent Schema Registry REST API that Spanline and
 * stock Confluent serializers use, bound to 127.0.0.1:
 *
 * <ul>
 *   <li>{@code POST /subjects/{subject}/versions} {@code {"schema": "..."}} → {@code {"id": n}}
 *   <li>{@code POST /subjects/{subject}} → the version holding that schema, or 404 (40403)
 *   <li>{@code GET /schemas/ids/{id}} → {@code {"schema": "..."}}, or 404 (40403)
 *   <li>{@code GET /subjects} → subject names
 *   <li>{@code GET /subjects/{subject}/versions} → version numbers, or 404 (40401)
 *   <li>{@code GET /subjects/{subject}/versions/{version|latest}} → {@code
 *       {"subject","version","id","schema"}}, or 404 (40401, 40402)
 * </ul>
 *
 * Only Avro schemas are accepted (422, 42201 otherwise). Compatibility checks are not made: the
 * schemas module enforces its own evolution rule at build time. Schemas are stored in a compacted
 * Kafka topic, so IDs survive a restart.
 */
public final class LocalSchemaRegistry implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalSchemaRegistry.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final MediaType CONTENT_TYPE =
      MediaType.parse("application/vnd.schemaregistry.v1+json");

  /** The default topic holding the schemas. */
  public static final String DEFAULT_TOPIC = "_schemas";

  private final Server server;
  private final SchemaStore store;
  private final Optional<HttpsFront> secured;

  private LocalSchemaRegistry(Server server, SchemaStore store, Optional<HttpsFront> secured) {
    this.server = server;
    this.store = store;
    this.secured = secured;
  }

  /**
   * Reads the stored schemas from Kafka and starts serving.
   *
   * @param port HTTP port on 127.0.0.1, or 0 for a free one
   */
  public static LocalSchemaRegistry start(String bootstrapServers, String topic, int port) {
    return start(bootstrapServers, topic, port, Optional.empty());
  }

  /**
   * Like {@link #start(String, String, int)}, with a second, secured port beside the plain one:
   * HTTPS with the given certificate, and HTTP basic auth (and a client certificate, if the options
   * ask for one) as a secured production registry would want.
   */
  public static LocalSchemaRegistry startSecured(
      String bootstrapServers, String topic, int port, HttpsFront.Options securedPort) {
    return start(bootstrapServers, topic, port, Optional.of(securedPort));
  }

  private static LocalSchemaRegistry start(
      String bootstrapServers, String topic, int port, Optional<HttpsFront.Options> securedPort) {
    long started = System.nanoTime();
    SchemaStore store = SchemaStore.open(bootstrapServers, topic);
    Server server =
        Server.builder()
            .http(new InetSocketAddress("127.0.0.1", Ports.orFree(port)))
            .annotatedService(new Api(store))
            .build();
    Optional<HttpsFront> secured;
    try {
      server.start().join();
      secured =
          securedPort.map(o -> HttpsFront.serving(o, b -> b.annotatedService(new Api(store))));
    } catch (RuntimeException e) {
      server.stop().join();
      store.close();
      throw e;
    }
    LocalSchemaRegistry registry = new LocalSchemaRegistry(server, store, secured);
    LOG.info(
        "Schema registry ready on {} in {} ms ({} schemas from topic {})",
        registry.uri(),
        (System.nanoTime() - started) / 1_000_000,
        store.ids().size(),
        topic);
    return registry;
  }

  /** {@code http://127.0.0.1:<port>}. */
  public URI uri() {
    return URI.create("http://127.0.0.1:" + server.activeLocalPort());
  }

  public int port() {
    return server.activeLocalPort();
  }

  /**
   * The secured port's {@code https://127.0.0.1:<port>}.
   *
   * @throws IllegalStateException if the registry was started without one
   */
  public URI securedUri() {
    return secured
        .orElseThrow(() -> new IllegalStateException("the registry has no secured port"))
        .uri();
  }

  @Override
  public void close() {
    secured.ifPresent(HttpsFront::close);
    server.stop().join();
    store.close();
  }

  /** The REST endpoints; public for Armeria's annotated-service reflection. */
  public static final class Api {
    private final SchemaStore store;

    Api(SchemaStore store) {
      this.store = store;
    }

    @Get("/")
    public HttpResponse root() {
      return json(HttpStatus.OK, JSON.createObjectNode());
    }

    @Post("/subjects/{subject}/versions")
    public HttpResponse register(@Param("subject") String subject, String body) {
      Optional<String> schema = schemaOf(body);
      if (schema.isEmpty()) {
        return error(HttpStatus.UNPROCESSABLE_ENTITY, 42201, "Invalid schema");
      }
      return json(
          HttpStatus.OK,
          JSON.createObjectNode().put("id", store.register(subject, schema.get()).id()));
    }

    @Post("/subjects/{subject}")
    public HttpResponse lookup(@Param("subject") String subject, String body) {
      Optional<String> schema = schemaOf(body);
      if (schema.isEmpty()) {
        return error(HttpStatus.UNPROCESSABLE_ENTITY, 42201, "Invalid schema");
      }
      if (store.versions(subject).isEmpty()) {
        return error(HttpStatus.NOT_FOUND, 40401, "Subject '" + subject + "' not found.");
      }
      return store
          .find(subject, schema.get())
          .map(v -> json(HttpStatus.OK, versionJson(v)))
          .orElseGet(() -> error(HttpStatus.NOT_FOUND, 40403, "Schema not found"));
    }

    @Get("/schemas/ids/{id}")
    public HttpResponse schemaById(@Param("id") int id) {
      return store
          .schemaById(id)
          .map(s -> json(HttpStatus.OK, JSON.createObjectNode().put("schema", s)))
          .orElseGet(() -> error(HttpStatus.NOT_FOUND, 40403, "Schema " + id + " not found"));
    }

    @Get("/subjects")
    public HttpResponse subjects() {
      ArrayNode out = JSON.createArrayNode();
      store.subjects().forEach(out::add);
      return json(HttpStatus.OK, out);
    }

    @Get("/subjects/{subject}/versions")
    public HttpResponse versions(@Param("subject") String subject) {
      return store
          .versions(subject)
          .map(
              vs -> {
                ArrayNode out = JSON.createArrayNode();
                vs.forEach(v -> out.add(v.version()));
                return json(HttpStatus.OK, out);
              })
          .orElseGet(
              () -> error(HttpStatus.NOT_FOUND, 40401, "Subject '" + subject + "' not found."));
    }

    @Get("/subjects/{subject}/versions/{version}")
    public HttpResponse version(
        @Param("subject") String subject, @Param("version") String version) {
      Optional<List<SchemaStore.Version>> versions = store.versions(subject);
      if (versions.isEmpty()) {
        return error(HttpStatus.NOT_FOUND, 40401, "Subject '" + subject + "' not found.");
      }
      List<SchemaStore.Version> vs = versions.get();
      Optional<SchemaStore.Version> found;
      if ("latest".equals(version) || "-1".equals(version)) {
        found = Optional.of(vs.get(vs.size() - 1));
      } else {
        int wanted;
        try {
          wanted = Integer.parseInt(version);
        } catch (NumberFormatException e) {
          return error(
              HttpStatus.UNPROCESSABLE_ENTITY,
              42202,
              "The specified version '" + version + "' is not a valid version id.");
        }
        found = vs.stream().filter(v -> v.version() == wanted).findFirst();
      }
      return found
          .map(v -> json(HttpStatus.OK, versionJson(v)))
          .orElseGet(
              () -> error(HttpStatus.NOT_FOUND, 40402, "Version " + version + " not found."));
    }

    /** The schema text of a request body, if it holds a parseable Avro schema. */
    private static Optional<String> schemaOf(String body) {
      try {
        JsonNode request = JSON.readTree(body);
        JsonNode schema = request.get("schema");
        String type = request.path("schemaType").asText("AVRO");
        if (schema == null || !schema.isTextual() || !"AVRO".equals(type)) {
          return Optional.empty();
        }
        new Schema.Parser().parse(schema.textValue());
        return Optional.of(schema.textValue());
      } catch (IOException | SchemaParseException e) {
        return Optional.empty();
      }
    }

    private static ObjectNode versionJson(SchemaStore.Version v) {
      return JSON.createObjectNode()
          .put("subject", v.subject())
          .put("version", v.version())
          .put("id", v.id())
          .put("schema", v.schema());
    }

    private static HttpResponse json(HttpStatus status, JsonNode body) {
      return HttpResponse.of(status, CONTENT_TYPE, body.toString());
    }

    private static HttpResponse error(HttpStatus status, int code, String message) {
      return json(status, JSON.createObjectNode().put("error_code", code).put("message", message));
    }
  }
}
