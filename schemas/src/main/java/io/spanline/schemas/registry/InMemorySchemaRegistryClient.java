package io.spanline.schemas.registry;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A schema registry held in memory by one process: IDs from 1 in order of first registration, the
 * same ID for the same schema text under any subject. For topology driver tests and single-process
 * tools that never share records with another process; anything else needs a real registry.
 */
public final class InMemorySchemaRegistryClient implements SchemaRegistryClient {
  private final List<String> schemas = new CopyOnWriteArrayList<>();
  private final Map<String, Integer> ids = new HashMap<>();

  @Override
  public synchronized int register(String subject, String schema) {
    return ids.computeIfAbsent(
        schema,
        s -> {
          schemas.add(s);
          return schemas.size();
        });
  }

  /**
   * @throws SchemaRegistryException when no schema has this ID
   */
  @Override
  public String schemaById(int id) {
    if (id < 1 || id > schemas.size()) {
      throw new SchemaRegistryException("schema ID " + id + " not found", 404, 40403, null);
    }
    return schemas.get(id - 1);
  }
}
