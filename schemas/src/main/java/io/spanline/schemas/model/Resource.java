package io.spanline.schemas.model;

import java.util.List;
import java.util.Objects;

/**
 * The entity that reported a span (OTLP {@code resource.v1.Resource}), with the schema URL of the
 * {@code ResourceSpans} it came in.
 *
 * @param attributes resource attributes in their original order
 * @param droppedAttributesCount attributes the sender dropped (OTLP uint32)
 * @param schemaUrl {@code ResourceSpans.schema_url}; "" when absent
 */
public record Resource(List<Attribute> attributes, int droppedAttributesCount, String schemaUrl) {
  /** The OpenTelemetry semantic-convention key of the service name. */
  public static final String SERVICE_NAME = "service.name";

  /** A resource with no attributes. */
  public static final Resource EMPTY = new Resource(List.of(), 0, "");

  public Resource {
    attributes = List.copyOf(attributes);
    Objects.requireNonNull(schemaUrl, "schemaUrl");
  }

  /** The {@code service.name} attribute as text, or "" when the resource has none. */
  public String serviceName() {
    return Attribute.find(attributes, SERVICE_NAME).map(AnyValue::asText).orElse("");
  }
}
