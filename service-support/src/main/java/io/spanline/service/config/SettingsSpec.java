package io.spanline.service.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the settings of one app may contain; {@link Settings#load(SettingsSpec, Map, Map)} refuses
 * everything else at start-up, naming the closest known key. Four kinds of names:
 *
 * <ul>
 *   <li><b>flat keys</b> with their defaults ({@link Builder#settings}), e.g. {@code
 *       kafka.sasl.password}: from the YAML file (flat or nested), the environment and system
 *       properties; {@code config.file} is always known;
 *   <li><b>pass-through prefixes</b> ({@link Builder#passThrough}), e.g. {@code kafka.client.} or
 *       {@code streams.}: any key below one, from every source, read with {@link
 *       Settings#withPrefix} and handed unchanged to a library;
 *   <li><b>structured sections</b> ({@link Builder#sections}), e.g. {@code tenants} or {@code
 *       api-keys}: a map or list in the YAML file only, read whole with {@link Settings#section};
 *   <li><b>environment-only variables</b> ({@link Builder#environmentVariables}), e.g. {@code
 *       api-keys} for {@code SPANLINE_GATEWAY_API_KEYS}: read with {@link
 *       Settings#environmentVariable}.
 * </ul>
 *
 * <p>An app's loader builds its spec once, e.g.:
 *
 * <pre>{@code
 * SettingsSpec.builder("gateway")
 *     .settings(DEFAULTS)
 *     .passThrough(KafkaSettings.CLIENT_PREFIX)
 *     .sections("tenants", "redaction", TenantResolver.API_KEYS)
 *     .environmentVariables(TenantResolver.API_KEYS)
 *     .build();
 * }</pre>
 *
 * <p>App names are lower-case letters and digits only ({@code gateway}, {@code assembly}, …), so
 * that no app's {@code spanline.<app>.} or {@code SPANLINE_<APP>_} is the start of another's: each
 * app checks only its own names, and the all-in-one can hand every app the same environment and
 * system properties.
 */
public final class SettingsSpec {
  private static final Pattern APP = Pattern.compile("[a-z][a-z0-9]*");

  /** The key of the YAML file's path, known to every app. */
  public static final String CONFIG_FILE = "config.file";

  private final String app;
  private final Map<String, String> defaults;
  private final List<String> passThroughPrefixes;
  private final List<String> sections;
  private final List<String> environmentVariables;

  private SettingsSpec(Builder b) {
    this.app = b.app;
    this.defaults = Collections.unmodifiableMap(new LinkedHashMap<>(b.defaults));
    this.passThroughPrefixes = List.copyOf(b.passThroughPrefixes);
    this.sections = List.copyOf(b.sections);
    this.environmentVariables = List.copyOf(b.environmentVariables);
  }

  /** An app's settings being declared. */
  public static Builder builder(String app) {
    return new Builder(app);
  }

  /** Flat keys only: no pass-through prefix, section or environment-only variable. */
  static SettingsSpec of(String app, Map<String, String> defaults) {
    return builder(app).settings(defaults).build();
  }

  /** The process name in the prefixes, e.g. {@code gateway}. */
  String app() {
    return app;
  }

  /** Every flat key with its default, in declaration order. */
  Map<String, String> defaults() {
    return defaults;
  }

  /** Pass-through prefixes, each ending with {@code .}. */
  List<String> passThroughPrefixes() {
    return passThroughPrefixes;
  }

  /** Names of the YAML file's structured sections. */
  List<String> sections() {
    return sections;
  }

  /** Keys that may be given only as environment variables {@code SPANLINE_<APP>_<KEY>}. */
  List<String> environmentVariables() {
    return environmentVariables;
  }

  boolean isFlatKey(String key) {
    return defaults.containsKey(key);
  }

  boolean isPassThrough(String key) {
    return passThroughPrefix(key) != null;
  }

  /** The declared prefix that {@code key} is below (longer than it), or null. */
  String passThroughPrefix(String key) {
    for (String p : passThroughPrefixes) {
      if (key.startsWith(p) && key.length() > p.length()) {
        return p;
      }
    }
    return null;
  }

  boolean isSection(String key) {
    return sections.contains(key);
  }

  /** The section that {@code key} is an entry of ({@code <section>.<entry>}), or null. */
  String sectionOf(String key) {
    for (String s : sections) {
      if (key.startsWith(s + ".") && key.length() > s.length() + 1) {
        return s;
      }
    }
    return null;
  }

  /**
   * Whether a YAML map at {@code path} may hold known names: some flat key, section or prefix
   * starts with {@code path.}, or {@code path} is below a pass-through prefix.
   */
  boolean isBranch(String path) {
    String dotted = path + ".";
    for (String k : defaults.keySet()) {
      if (k.startsWith(dotted)) {
        return true;
      }
    }
    for (String s : sections) {
      if (s.startsWith(dotted)) {
        return true;
      }
    }
    for (String p : passThroughPrefixes) {
      if (p.startsWith(dotted) || dotted.startsWith(p)) {
        return true;
      }
    }
    return false;
  }

  /** Declares one app's settings; {@link #build} checks the declaration. */
  public static final class Builder {
    private final String app;
    private final Map<String, String> defaults = new LinkedHashMap<>();
    private final Set<String> passThroughPrefixes = new LinkedHashSet<>();
    private final Set<String> sections = new LinkedHashSet<>();
    private final Set<String> environmentVariables = new LinkedHashSet<>();

    private Builder(String app) {
      Objects.requireNonNull(app, "app");
      if (!APP.matcher(app).matches()) {
        throw new IllegalArgumentException(
            "app name '" + app + "' must be lower-case letters and digits, starting with a letter");
      }
      this.app = app;
    }

    /** Flat keys and their defaults (empty for "not set"); may be called more than once. */
    public Builder settings(Map<String, String> defaults) {
      defaults.forEach(
          (k, v) -> {
            requireName(k, "key");
            this.defaults.put(k, Objects.requireNonNull(v, k));
          });
      return this;
    }

    /**
     * Pass-through prefixes, each ending with {@code .}, e.g. {@code streams.}: every key below one
     * is known and read with {@link Settings#withPrefix}.
     */
    public Builder passThrough(String... prefixes) {
      for (String p : prefixes) {
        requireName(p, "prefix");
        if (!p.endsWith(".") || p.length() < 2) {
          throw new IllegalArgumentException("pass-through prefix '" + p + "' must end with '.'");
        }
        passThroughPrefixes.add(p);
      }
      return this;
    }

    /**
     * Structured sections of the YAML file (a map or a list under that name), read whole with
     * {@link Settings#section}; e.g. {@code tenants}.
     */
    public Builder sections(String... names) {
      for (String s : names) {
        requireName(s, "section");
        sections.add(s);
      }
      return this;
    }

    /**
     * Keys that may be given as environment variables {@code SPANLINE_<APP>_<KEY>} only (not as a
     * flat key of the file or a system property), read with {@link Settings#environmentVariable};
     * e.g. {@code api-keys}.
     */
    public Builder environmentVariables(String... keys) {
      for (String k : keys) {
        requireName(k, "environment variable key");
        environmentVariables.add(k);
      }
      return this;
    }

    /**
     * @throws IllegalArgumentException when two names give the same environment variable, a section
     *     is also a flat key, holds one or is below a pass-through prefix, or a name is reserved
     */
    public SettingsSpec build() {
      if (defaults.containsKey(CONFIG_FILE)) {
        throw new IllegalArgumentException(
            CONFIG_FILE + " is known to every app; do not declare it");
      }
      Map<String, String> envNames = new HashMap<>();
      List<String> named = new ArrayList<>(defaults.keySet());
      named.add(CONFIG_FILE);
      named.addAll(environmentVariables);
      for (String k : named) {
        String previous = envNames.put(Settings.envName(app, k), k);
        if (previous != null && !previous.equals(k)) {
          throw new IllegalArgumentException(
              "settings " + previous + " and " + k + " have one environment variable name");
        }
      }
      SettingsSpec spec = new SettingsSpec(this);
      for (String s : sections) {
        if (defaults.containsKey(s) || spec.isPassThrough(s)) {
          throw new IllegalArgumentException(
              "section " + s + " is also a flat key or below a pass-through prefix");
        }
        for (String k : defaults.keySet()) {
          if (k.startsWith(s + ".")) {
            throw new IllegalArgumentException("flat key " + k + " is inside section " + s);
          }
        }
      }
      return spec;
    }

    private static void requireName(String name, String what) {
      if (name == null || name.isBlank() || name.startsWith(".") || name.contains("..")) {
        throw new IllegalArgumentException("invalid " + what + " '" + name + "'");
      }
    }
  }
}
