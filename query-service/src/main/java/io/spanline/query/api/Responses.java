package io.spanline.query.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import io.spanline.query.tenancy.RequestTenants;
import io.spanline.service.logging.LogContext;
import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How every API of the service answers: JSON bodies, errors as {@code {"error": {"httpCode": …,
 * "message": …}}} — a {@link BadParameter} or other argument error is a 400 with its message, a
 * missing or unknown API key ({@link Unauthenticated}) a 401, a trace no store holds ({@link
 * TraceLookup.TraceNotFound}) a 404, a store failure a 503 whose message never carries the store's
 * own error text (it is logged).
 */
public final class Responses {
  private static final Logger LOG = LoggerFactory.getLogger(Responses.class);

  /** Shared JSON mapper of the APIs. */
  public static final ObjectMapper JSON = new ObjectMapper();

  private Responses() {}

  /** A request parameter that is missing or malformed; answered with a 400 naming it. */
  public static final class BadParameter extends IllegalArgumentException {
    public BadParameter(String message) {
      super(message);
    }
  }

  /** A request without a valid API key while authentication is on; answered with a 401. */
  public static final class Unauthenticated extends RuntimeException {
    public Unauthenticated(String message) {
      super(message);
    }
  }

  /** An answer that may fail reading a store. */
  @FunctionalInterface
  public interface Answer {
    HttpResponse get() throws IOException;
  }

  /** How an API writes an error answer: its status and message in the API's own error body. */
  @FunctionalInterface
  public interface ErrorBody {
    HttpResponse of(HttpStatus status, String message);
  }

  /** Runs {@code answer}, turning argument errors into 400 and store failures into 503. */
  public static HttpResponse answer(Answer answer) {
    return answer(answer, Responses::error);
  }

  /**
   * As {@link #answer(Answer)}, with errors written by {@code errors} (an API whose clients expect
   * another error body, such as Jaeger's HTTP API); the statuses and messages are the same.
   */
  public static HttpResponse answer(Answer answer, ErrorBody errors) {
    try {
      return answer.get();
    } catch (Unauthenticated e) {
      return errors.of(HttpStatus.UNAUTHORIZED, e.getMessage());
    } catch (TraceLookup.TraceNotFound e) {
      return errors.of(HttpStatus.NOT_FOUND, e.getMessage());
    } catch (IllegalArgumentException | ArithmeticException e) {
      return errors.of(HttpStatus.BAD_REQUEST, e.getMessage());
    } catch (IOException | RuntimeException e) {
      try (LogContext ignored = RequestTenants.logContext()) {
        LOG.warn("Query failed", e);
      }
      return errors.of(
          HttpStatus.SERVICE_UNAVAILABLE, "the trace store is not available; try again");
    }
  }

  public static HttpResponse error(HttpStatus status, String message) {
    ObjectNode body = JSON.createObjectNode();
    body.putObject("error").put("httpCode", status.code()).put("message", message);
    return json(status, body);
  }

  /** {@code {"<field>": [values...]}} with status 200. */
  public static HttpResponse list(String field, List<String> values) {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode array = body.putArray(field);
    values.forEach(array::add);
    return json(HttpStatus.OK, body);
  }

  public static HttpResponse json(HttpStatus status, JsonNode body) {
    try {
      return HttpResponse.of(status, MediaType.JSON_UTF_8, JSON.writeValueAsBytes(body));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
