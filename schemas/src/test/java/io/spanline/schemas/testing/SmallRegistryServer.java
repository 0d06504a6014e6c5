package io.spanline.schemas.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small HTTP server answering the two Confluent Schema Registry calls the schemas module makes
 * ({@code POST /subjects/{subject}/versions}, {@code GET /schemas/ids/{id}}), on 127.0.0.1 and a
 * free port, for the client tests until local-infra's embedded registry exists. It keeps schemas in
 * memory, gives the same text the same ID, and counts the requests it served.
 */
public final class SmallRegistryServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final List<String> schemas = new ArrayList<>();
  private final AtomicInteger requests = new AtomicInteger();

  public SmallRegistryServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  public URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Requests served so far. */
  public int requests() {
    return requests.get();
  }

  private synchronized void handle(HttpExchange exchange) throws IOException {
    requests.incrementAndGet();
    String path = exchange.getRequestURI().getRawPath();
    String method = exchange.getRequestMethod();
    try (exchange) {
      if (method.equals("POST") && path.matches("/subjects/[^/]+/versions")) {
        String subject = URLDecoder.decode(path.split("/")[2], StandardCharsets.UTF_8);
        JsonNode body = JSON.readTree(exchange.getRequestBody());
        String schema = body.path("schema").asText(null);
        if (schema == null || subject.isEmpty()) {
          send(exchange, 422, Map.of("error_code", 42201, "message", "Invalid schema"));
          return;
        }
        int index = schemas.indexOf(schema);
        if (index < 0) {
          schemas.add(schema);
          index = schemas.size() - 1;
        }
        send(exchange, 200, Map.of("id", index + 1));
      } else if (method.equals("GET") && path.matches("/schemas/ids/\\d+")) {
        int id = Integer.parseInt(path.substring("/schemas/ids/".length()));
        if (id < 1 || id > schemas.size()) {
          send(
              exchange, 404, Map.of("error_code", 40403, "message", "Schema " + id + " not found"));
          return;
        }
        send(exchange, 200, Map.of("schema", schemas.get(id - 1)));
      } else {
        send(exchange, 404, Map.of("error_code", 404, "message", "HTTP 404 Not Found"));
      }
    }
  }

  private static void send(HttpExchange exchange, int status, Map<String, Object> body)
      throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/vnd.schemaregistry.v1+json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
