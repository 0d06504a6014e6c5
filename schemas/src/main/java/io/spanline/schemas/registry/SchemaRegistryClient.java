package io.spanline.schemas.registry;

/**
 * The part of the Confluent Schema Registry REST API that Spanline's serdes use. Any registry that
 * speaks that API serves: Confluent, Apicurio (ccompat), Karapace, Redpanda, or local-infra's
 * embedded registry. Implementations are thread-safe.
 */
public interface SchemaRegistryClient {
  /**
   * Registers an Avro schema under a subject ({@code POST /subjects/{subject}/versions}), or finds
   * it when already registered, and returns its global schema ID.
   *
   * @param subject e.g. {@code spanline.traces.assembled-value} (TopicNameStrategy)
   * @param schema the Avro schema as JSON text
   * @throws SchemaRegistryException naming the subject and the HTTP status when the registry
   *     refuses (e.g. 409 incompatible schema) or cannot be reached
   */
  int register(String subject, String schema);

  /**
   * The schema with this global ID ({@code GET /schemas/ids/{id}}).
   *
   * @return the Avro schema as JSON text
   * @throws SchemaRegistryException naming the ID and the HTTP status when there is no such schema
   *     (404) or the registry cannot be reached
   */
  String schemaById(int id);
}
