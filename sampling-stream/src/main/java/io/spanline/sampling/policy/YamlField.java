package io.spanline.sampling.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A node of a composed YAML document with its field path, so every error names line and field.
 * Reads SnakeYAML's node graph (which keeps source positions) rather than plain maps. An alias may
 * make that graph cyclic ({@code - &p {not: {not_sub_policy: *p}}}): a child that is one of its own
 * ancestors is an error, not an endless descent.
 */
final class YamlField {
  private final Node node;
  private final String path;
  private final YamlField parent;

  /** The document's root. */
  YamlField(Node node, String path) {
    this(node, path, null);
  }

  private YamlField(Node node, String path, YamlField parent) {
    this.node = node;
    this.path = path;
    this.parent = parent;
  }

  private YamlField child(Node child, String childPath) throws PolicyFileException {
    for (YamlField f = this; f != null; f = f.parent) {
      if (f.node == child) {
        throw new YamlField(child, childPath)
            .error("an alias refers to a node that contains it (a recursive structure)");
      }
    }
    return new YamlField(child, childPath, this);
  }

  String path() {
    return path;
  }

  int line() {
    return node.getStartMark().getLine() + 1;
  }

  PolicyFileException error(String problem) {
    return new PolicyFileException(line(), path, problem);
  }

  boolean isNull() {
    return node instanceof ScalarNode s && s.getTag().equals(Tag.NULL);
  }

  /** The entries of a mapping, in file order; rejects keys outside {@code allowed}. */
  Map<String, YamlField> mapping(Set<String> allowed) throws PolicyFileException {
    Map<String, YamlField> entries = mapping();
    for (Map.Entry<String, YamlField> e : entries.entrySet()) {
      if (!allowed.contains(e.getKey())) {
        throw e.getValue()
            .error("unknown field \"" + e.getKey() + "\" (expected one of " + allowed + ")");
      }
    }
    return entries;
  }

  /** The entries of a mapping, in file order. */
  Map<String, YamlField> mapping() throws PolicyFileException {
    if (isNull()) {
      return Map.of();
    }
    if (!(node instanceof MappingNode m)) {
      throw error("expected a mapping");
    }
    Map<String, YamlField> entries = new LinkedHashMap<>();
    for (NodeTuple t : m.getValue()) {
      if (!(t.getKeyNode() instanceof ScalarNode k)) {
        throw new YamlField(t.getKeyNode(), path).error("expected a plain key");
      }
      String key = k.getValue();
      String childPath = path.isEmpty() ? key : path + "." + key;
      if (entries.put(key, child(t.getValueNode(), childPath)) != null) {
        throw new YamlField(t.getKeyNode(), childPath).error("given twice");
      }
    }
    return entries;
  }

  List<YamlField> list() throws PolicyFileException {
    if (isNull()) {
      return List.of();
    }
    if (!(node instanceof SequenceNode s)) {
      throw error("expected a list");
    }
    List<YamlField> items = new ArrayList<>();
    for (Node n : s.getValue()) {
      items.add(child(n, path + "[" + items.size() + "]"));
    }
    return items;
  }

  String text() throws PolicyFileException {
    if (!(node instanceof ScalarNode s) || isNull()) {
      throw error("expected a value");
    }
    return s.getValue();
  }

  List<String> texts() throws PolicyFileException {
    List<String> out = new ArrayList<>();
    for (YamlField f : list()) {
      out.add(f.text());
    }
    return out;
  }

  long longValue(long min, long max) throws PolicyFileException {
    String t = text().strip().replace("_", "");
    long v;
    try {
      v = Long.parseLong(t);
    } catch (NumberFormatException e) {
      throw error("expected an integer, was \"" + text() + "\"");
    }
    if (v < min || v > max) {
      throw error("must be within [" + min + ", " + max + "], was " + v);
    }
    return v;
  }

  double doubleValue(double min, double max) throws PolicyFileException {
    double v;
    try {
      v = Double.parseDouble(text().strip());
    } catch (NumberFormatException e) {
      throw error("expected a number, was \"" + text() + "\"");
    }
    if (!(v >= min && v <= max)) {
      throw error("must be within [" + min + ", " + max + "], was " + v);
    }
    return v;
  }

  boolean bool() throws PolicyFileException {
    String t = text().strip();
    if (t.equalsIgnoreCase("true")) {
      return true;
    }
    if (t.equalsIgnoreCase("false")) {
      return false;
    }
    throw error("expected true or false, was \"" + t + "\"");
  }
}
