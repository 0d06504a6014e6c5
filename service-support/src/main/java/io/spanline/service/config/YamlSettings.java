package io.spanline.service.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The YAML file of one app, read against its {@link SettingsSpec}: flat and nested keys alike
 * ({@code kafka: {sasl: {username: x}}} is {@code kafka.sasl.username: x}; a map's key may itself
 * hold dots), sections whole. Unknown names are collected, not thrown, so that one error lists all
 * of them.
 */
final class YamlSettings {
  private final SettingsSpec spec;
  private final String source;
  private final List<String> unknown;

  /** Flat keys and keys below pass-through prefixes, by full name, as text. */
  final Map<String, String> values = new LinkedHashMap<>();

  /** Each section present, by name. */
  final ObjectNode sections = JsonNodeFactory.instance.objectNode();

  private YamlSettings(SettingsSpec spec, String source, List<String> unknown) {
    this.spec = spec;
    this.source = source;
    this.unknown = unknown;
  }

  static YamlSettings empty(SettingsSpec spec) {
    return new YamlSettings(spec, "", List.of());
  }

  /**
   * @param source e.g. {@code YAML file /etc/spanline/gateway.yaml}, for messages
   * @param unknown receives a message per unknown name
   * @throws IllegalArgumentException when the file is not a map, a key is given twice (e.g. flat
   *     and nested), or a flat key holds a map or a list
   */
  static YamlSettings read(SettingsSpec spec, String source, JsonNode root, List<String> unknown) {
    YamlSettings out = new YamlSettings(spec, source, unknown);
    if (root.isMissingNode() || root.isNull()) {
      return out;
    }
    if (!root.isObject()) {
      throw new IllegalArgumentException("The " + source + " must be a map of settings");
    }
    out.walk(root, "");
    return out;
  }

  private void walk(JsonNode map, String path) {
    Iterator<Map.Entry<String, JsonNode>> it = map.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      entry(path + e.getKey(), e.getValue());
    }
  }

  private void entry(String key, JsonNode value) {
    if (spec.isSection(key)) {
      putSection(key, value);
      return;
    }
    String section = spec.sectionOf(key);
    if (section != null) {
      putSectionEntry(section, key.substring(section.length() + 1), value);
      return;
    }
    boolean known = spec.isFlatKey(key) || spec.isPassThrough(key);
    if (value.isObject() && spec.isBranch(key)) {
      walk(value, key + ".");
    } else if (!known) {
      unknown.add(Settings.unknownKey(spec, key, source));
    } else if (value.isContainerNode()) {
      throw new IllegalArgumentException(
          "Invalid value for property "
              + key
              + " in the "
              + source
              + ". Must be a single value, not a "
              + (value.isArray() ? "list" : "map")
              + ".");
    } else {
      String previous = values.put(key, value.isNull() ? "" : value.asText());
      if (previous != null) {
        throw twice(key);
      }
    }
  }

  private void putSection(String name, JsonNode value) {
    if (value.isNull()) {
      return;
    }
    JsonNode present = sections.get(name);
    if (present == null) {
      sections.set(name, value.deepCopy());
      return;
    }
    if (!present.isObject() || !value.isObject()) {
      throw twice(name);
    }
    value.fields().forEachRemaining(e -> putSectionEntry(name, e.getKey(), e.getValue()));
  }

  private void putSectionEntry(String section, String entry, JsonNode value) {
    JsonNode present = sections.get(section);
    if (present == null) {
      present = sections.putObject(section);
    }
    if (!present.isObject()) {
      throw new IllegalArgumentException(
          "Invalid "
              + section
              + "."
              + entry
              + " in the "
              + source
              + ": section "
              + section
              + " is a list here, not a map.");
    }
    if (present.has(entry)) {
      throw twice(section + "." + entry);
    }
    ((ObjectNode) present).set(entry, value.deepCopy());
  }

  private IllegalArgumentException twice(String key) {
    return new IllegalArgumentException(
        "Setting "
            + key
            + " is given twice in the "
            + source
            + " (flat and nested forms); keep one of them.");
  }
}
