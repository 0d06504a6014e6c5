package io.spanline.service.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The settings of one Spanline process, layered in increasing precedence: defaults, the YAML file
 * named by {@code config.file} (environment {@code SPANLINE_<APP>_CONFIG_FILE} or system property
 * {@code spanline.<app>.config.file}), environment variables {@code SPANLINE_<APP>_<KEY>} (key
 * upper-cased, dots and hyphens as underscores) and system properties {@code spanline.<app>.<key>}.
 *
 * <p><b>Strict.</b> What an app may be given is declared in its {@link SettingsSpec}: flat keys
 * with defaults, pass-through prefixes, structured sections of the file and environment-only
 * variables. {@link #load(SettingsSpec, Map, Map)} refuses any other YAML key, any other system
 * property {@code spanline.<app>.*} and any other environment variable {@code SPANLINE_<APP>_*},
 * naming the closest known key (environment variables are matched by their names, since {@code .},
 * {@code -} and {@code _} all become {@code _} there). Names of other apps and other names under
 * {@code spanline.} are not this app's business and are left alone, as are the variables Kubernetes
 * adds for a Service named {@code spanline-<app>} ({@code SPANLINE_<APP>_SERVICE_HOST}, {@code
 * SPANLINE_<APP>_PORT_4317_TCP}, …).
 *
 * <p><b>YAML.</b> Flat keys ({@code kafka.sasl.username: x}) and nested maps ({@code kafka: {sasl:
 * {username: x}}}) are the same; a map key may hold dots itself ({@code kafka: {sasl.username:
 * x}}). A key given in two forms in one file is an error. A section ({@code tenants: ...}) is read
 * whole; a map section may also be given one entry at a time ({@code tenants.acme: {...}}).
 *
 * <p><b>Durations</b> ({@link #millis}, {@link #durationAtLeast}) are a whole number in the key's
 * unit (milliseconds for {@code *.ms}) or a whole number with a unit: {@code 500ms}, {@code 10s},
 * {@code 5m}, {@code 1h}, {@code 1d}.
 *
 * <p>Typed reads throw {@link IllegalArgumentException} naming the key and the bad value.
 */
public final class Settings {
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

  private static final Pattern DURATION = Pattern.compile("(-?[0-9]+)(ms|s|m|h|d)?");

  /**
   * What Kubernetes puts into every pod for a Service named {@code spanline-<app>} (service links:
   * {@code SPANLINE_GATEWAY_SERVICE_HOST}, {@code SPANLINE_GATEWAY_PORT_4317_TCP_ADDR}, …), after
   * {@code SPANLINE_<APP>_}; not settings, so not refused.
   */
  private static final Pattern SERVICE_LINK =
      Pattern.compile(
          "SERVICE_HOST|SERVICE_PORT(_[A-Z0-9_]+)?|PORT(_[0-9]+_(TCP|UDP|SCTP)(_PROTO|_PORT|_ADDR)?)?");

  private final SettingsSpec spec;
  private final Map<String, String> values;
  private final YamlSettings file;
  private final Map<String, String> env;
  private final Map<String, String> systemProperties;

  private Settings(
      SettingsSpec spec,
      Map<String, String> values,
      YamlSettings file,
      Map<String, String> env,
      Map<String, String> systemProperties) {
    this.spec = spec;
    this.values = values;
    this.file = file;
    this.env = Map.copyOf(env);
    this.systemProperties = Map.copyOf(systemProperties);
  }

  /** Flat keys only ({@link SettingsSpec#of}), from the process environment and properties. */
  static Settings load(String app, Map<String, String> defaults) {
    return load(SettingsSpec.of(app, defaults));
  }

  /** From the process environment and system properties. */
  public static Settings load(SettingsSpec spec) {
    Map<String, String> props = new HashMap<>();
    System.getProperties().forEach((k, v) -> props.put(k.toString(), v.toString()));
    return load(spec, System.getenv(), props);
  }

  /**
   * Flat keys only ({@link SettingsSpec#of}).
   *
   * @param app the process name in the prefixes, e.g. {@code gateway} or {@code assembly}
   * @param defaults every setting and its default, in documentation order
   */
  public static Settings load(
      String app,
      Map<String, String> defaults,
      Map<String, String> env,
      Map<String, String> systemProperties) {
    return load(SettingsSpec.of(app, defaults), env, systemProperties);
  }

  /**
   * Reads and checks every source.
   *
   * @param env the environment; only {@code SPANLINE_<APP>_*} is read
   * @param systemProperties system properties; only {@code spanline.<app>.*} is read
   * @throws IllegalArgumentException listing every unknown name, each with the closest known key
   *     ("unknown setting kafka.sasl.pasword (YAML file /x.yaml); did you mean
   *     kafka.sasl.password?"), or when the file is not one YAML map, gives a key twice or a map
   *     where a value belongs
   * @throws UncheckedIOException if the named config file cannot be read
   */
  public static Settings load(
      SettingsSpec spec, Map<String, String> env, Map<String, String> systemProperties) {
    Objects.requireNonNull(spec, "spec");
    String app = spec.app();
    String fileName =
        systemProperties.getOrDefault(
            propertyName(app, SettingsSpec.CONFIG_FILE),
            env.get(envName(app, SettingsSpec.CONFIG_FILE)));
    List<String> unknown = new ArrayList<>();
    YamlSettings yaml =
        fileName == null
            ? YamlSettings.empty(spec)
            : YamlSettings.read(
                spec, "YAML file " + fileName, readYaml(Path.of(fileName)), unknown);
    checkEnvironment(spec, env, unknown);
    checkSystemProperties(spec, systemProperties, unknown);
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(String.join("\n", unknown));
    }
    Map<String, String> flat = new LinkedHashMap<>(spec.defaults());
    for (String key : spec.defaults().keySet()) {
      String fromFile = yaml.values.get(key);
      if (fromFile != null) {
        flat.put(key, fromFile);
      }
      String fromEnv = env.get(envName(app, key));
      if (fromEnv != null) {
        flat.put(key, fromEnv);
      }
      String fromProps = systemProperties.get(propertyName(app, key));
      if (fromProps != null) {
        flat.put(key, fromProps);
      }
    }
    return new Settings(spec, flat, yaml, env, systemProperties);
  }

  private static void checkEnvironment(
      SettingsSpec spec, Map<String, String> env, List<String> unknown) {
    String app = spec.app();
    String own = envName(app, "");
    Map<String, String> known = new LinkedHashMap<>();
    spec.defaults().keySet().forEach(k -> known.put(envName(app, k), k));
    known.put(envName(app, SettingsSpec.CONFIG_FILE), SettingsSpec.CONFIG_FILE);
    spec.environmentVariables().forEach(k -> known.put(envName(app, k), k));
    List<String> prefixes = spec.passThroughPrefixes().stream().map(p -> envName(app, p)).toList();
    env.keySet().stream()
        .filter(name -> name.startsWith(own))
        .sorted()
        .forEach(
            name -> {
              if (known.containsKey(name)
                  || prefixes.stream()
                      .anyMatch(p -> name.startsWith(p) && name.length() > p.length())
                  || SERVICE_LINK.matcher(name.substring(own.length())).matches()) {
                return;
              }
              String as = name.substring(own.length()).toLowerCase(Locale.ROOT).replace('_', '.');
              String closest = closestKey(spec, as, true);
              unknown.add(
                  "unknown setting "
                      + name
                      + " (environment variable)"
                      + (closest == null
                          ? ""
                          : "; did you mean " + envName(app, closest) + " (" + closest + ")?"));
            });
  }

  private static void checkSystemProperties(
      SettingsSpec spec, Map<String, String> props, List<String> unknown) {
    String own = propertyName(spec.app(), "");
    props.keySet().stream()
        .filter(name -> name.startsWith(own))
        .sorted()
        .forEach(
            name -> {
              String key = name.substring(own.length());
              if (!spec.isFlatKey(key)
                  && !spec.isPassThrough(key)
                  && !key.equals(SettingsSpec.CONFIG_FILE)) {
                unknown.add(unknownKey(spec, key, "system property " + name));
              }
            });
  }

  /** "unknown setting {@code key} ({@code source}); did you mean {@code closest}?" */
  static String unknownKey(SettingsSpec spec, String key, String source) {
    String message = "unknown setting " + key + " (" + source + ")";
    if (spec.isSection(key) || spec.environmentVariables().contains(key)) {
      return message
          + "; "
          + key
          + " can be given only"
          + (spec.isSection(key) ? " as a section of the YAML file" : "")
          + (spec.isSection(key) && spec.environmentVariables().contains(key) ? " or" : "")
          + (spec.environmentVariables().contains(key)
              ? " as environment variable " + envName(spec.app(), key)
              : "");
    }
    String closest = closestKey(spec, key, false);
    return closest == null ? message : message + "; did you mean " + closest + "?";
  }

  /**
   * The known key closest to {@code key}: flat keys, sections and, for each pass-through prefix,
   * the prefix followed by what comes after as many dot-separated parts of {@code key} (so {@code
   * kafka.clinet.acks} finds {@code kafka.client.acks}). With {@code envForm}, candidates are
   * compared as environment names turn them ({@code -} and {@code _} as {@code .}, lower case) and
   * {@code config.file} and the environment-only keys count too.
   */
  private static String closestKey(SettingsSpec spec, String key, boolean envForm) {
    Map<String, String> candidates = new LinkedHashMap<>();
    spec.defaults().keySet().forEach(k -> candidates.put(k, k));
    if (envForm) {
      candidates.put(SettingsSpec.CONFIG_FILE, SettingsSpec.CONFIG_FILE);
      spec.environmentVariables().forEach(k -> candidates.put(k, k));
    } else {
      spec.sections().forEach(s -> candidates.put(s, s));
    }
    String[] parts = key.split("\\.", -1);
    for (String p : spec.passThroughPrefixes()) {
      int n = p.split("\\.").length;
      if (parts.length > n) {
        String candidate = p + String.join(".", List.of(parts).subList(n, parts.length));
        candidates.put(candidate, candidate);
      }
    }
    Map<String, String> byCompared = new LinkedHashMap<>();
    candidates
        .keySet()
        .forEach(
            c ->
                byCompared.putIfAbsent(
                    envForm ? c.toLowerCase(Locale.ROOT).replace('-', '.').replace('_', '.') : c,
                    c));
    String best = Suggestions.closest(key, byCompared.keySet());
    return best == null ? null : byCompared.get(best);
  }

  /** {@code SPANLINE_<APP>_<KEY>}: upper case, dots and hyphens as underscores. */
  static String envName(String app, String key) {
    return ("SPANLINE_" + app + "_" + key)
        .toUpperCase(Locale.ROOT)
        .replace('.', '_')
        .replace('-', '_');
  }

  /** {@code spanline.<app>.<key>}. */
  static String propertyName(String app, String key) {
    return "spanline." + app + "." + key;
  }

  /**
   * An environment-only variable ({@link SettingsSpec.Builder#environmentVariables}), by its full
   * name, e.g. {@code SPANLINE_GATEWAY_API_KEYS}; null when not set.
   *
   * @throws IllegalArgumentException if the spec does not declare it
   */
  public String environmentVariable(String name) {
    if (spec.environmentVariables().stream().noneMatch(k -> envName(spec.app(), k).equals(name))) {
      throw new IllegalArgumentException(
          name + " is not declared in the settings of " + spec.app() + " (SettingsSpec)");
    }
    return env.get(name);
  }

  /**
   * The declared sections present in the YAML file, by name (an empty object when there is none):
   * {@code file().path("tenants")} is {@link #section section("tenants")}.
   */
  JsonNode file() {
    return file.sections;
  }

  /**
   * A structured section of the YAML file: a map or list (in the file's own form), or a missing
   * node ({@link JsonNode#isMissingNode()}) when absent, so that {@code path(...)} and {@code
   * fields()} read as empty.
   *
   * @throws IllegalArgumentException if the spec does not declare the section
   */
  public JsonNode section(String name) {
    if (!spec.isSection(name)) {
      throw new IllegalArgumentException(
          "section "
              + name
              + " is not declared in the settings of "
              + spec.app()
              + " (SettingsSpec)");
    }
    return file.sections.path(name);
  }

  /**
   * Checks the names inside one entry of a section, e.g. a tenant's limits.
   *
   * @param node the entry; must be a map
   * @param where its place for messages, e.g. {@code tenants.acme}
   * @param known the names it may hold
   * @throws IllegalArgumentException when {@code node} is not a map, or naming an unknown name and
   *     the closest known one
   */
  public void requireKnownFields(JsonNode node, String where, Collection<String> known) {
    if (!node.isObject()) {
      throw new IllegalArgumentException(
          "Invalid value for property "
              + where
              + " in the YAML file. Must be a map of "
              + String.join(", ", known)
              + ".");
    }
    List<String> unknown = new ArrayList<>();
    node.fieldNames()
        .forEachRemaining(
            f -> {
              if (!known.contains(f)) {
                String closest = Suggestions.closest(f, known);
                unknown.add(
                    "unknown setting "
                        + where
                        + "."
                        + f
                        + " (YAML file)"
                        + (closest == null ? "" : "; did you mean " + where + "." + closest + "?"));
              }
            });
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(String.join("\n", unknown));
    }
  }

  /**
   * Free-form settings passed through to a library (e.g. Kafka client properties): the keys that
   * start with {@code prefix}, prefix removed, from the file, the environment ({@code
   * SPANLINE_<APP>_<PREFIX>SESSION_TIMEOUT_MS} gives {@code session.timeout.ms}) and system
   * properties, in that increasing precedence. Values are handed on unchanged (a duration there is
   * in the library's own unit).
   *
   * @param prefix a pass-through prefix the spec declares, e.g. {@code streams.}
   * @throws IllegalArgumentException if the spec does not declare {@code prefix}
   */
  public Map<String, String> withPrefix(String prefix) {
    if (!spec.passThroughPrefixes().contains(prefix)) {
      throw new IllegalArgumentException(
          "pass-through prefix "
              + prefix
              + " is not declared in the settings of "
              + spec.app()
              + " (SettingsSpec)");
    }
    String app = spec.app();
    Map<String, String> out = new LinkedHashMap<>();
    file.values.forEach(
        (k, v) -> {
          if (k.startsWith(prefix) && k.length() > prefix.length()) {
            out.put(k.substring(prefix.length()), v);
          }
        });
    String envPrefix = envName(app, prefix);
    env.forEach(
        (k, v) -> {
          if (k.startsWith(envPrefix) && k.length() > envPrefix.length()) {
            out.put(k.substring(envPrefix.length()).toLowerCase(Locale.ROOT).replace('_', '.'), v);
          }
        });
    String propPrefix = propertyName(app, prefix);
    systemProperties.forEach(
        (k, v) -> {
          if (k.startsWith(propPrefix) && k.length() > propPrefix.length()) {
            out.put(k.substring(propPrefix.length()), v);
          }
        });
    return out;
  }

  /**
   * The final value of a flat key, trimmed.
   *
   * @throws IllegalArgumentException if the spec does not declare the key
   */
  public String get(String key) {
    String value = values.get(key);
    if (value == null) {
      throw new IllegalArgumentException("Unknown setting " + key + " of " + spec.app());
    }
    return value.trim();
  }

  public long longValue(String key) {
    try {
      return Long.parseLong(get(key));
    } catch (NumberFormatException e) {
      throw invalid(key, "Must be a long.");
    }
  }

  public int intValue(String key) {
    try {
      return Integer.parseInt(get(key));
    } catch (NumberFormatException e) {
      throw invalid(key, "Must be an int.");
    }
  }

  /** An int that must be at least {@code min}. */
  public int intAtLeast(String key, int min) {
    int v = intValue(key);
    if (v < min) {
      throw invalid(key, "Must be at least " + min + ".");
    }
    return v;
  }

  /** A long that must be at least {@code min}. */
  public long longAtLeast(String key, long min) {
    long v = longValue(key);
    if (v < min) {
      throw invalid(key, "Must be at least " + min + ".");
    }
    return v;
  }

  public double doubleValue(String key) {
    try {
      return Double.parseDouble(get(key));
    } catch (NumberFormatException e) {
      throw invalid(key, "Must be a number.");
    }
  }

  public int port(String key) {
    int port = intValue(key);
    if (port < 0 || port > 65535) {
      throw invalid(key, "Must be a port 0-65535.");
    }
    return port;
  }

  public boolean bool(String key) {
    String v = get(key).toLowerCase(Locale.ROOT);
    if (!v.equals("true") && !v.equals("false")) {
      throw invalid(key, "Must be true or false.");
    }
    return Boolean.parseBoolean(v);
  }

  /**
   * A positive duration: a whole number of milliseconds, or a whole number with a unit ({@code
   * 500ms}, {@code 10s}, {@code 5m}, {@code 1h}, {@code 1d}).
   *
   * @throws IllegalArgumentException naming the key, the value and the accepted forms
   */
  public Duration millis(String key) {
    long ms = durationIn(key, TimeUnit.MILLISECONDS);
    if (ms <= 0) {
      throw invalid(key, "Must be a positive duration. " + durationForms(TimeUnit.MILLISECONDS));
    }
    return Duration.ofMillis(ms);
  }

  /**
   * A duration counted in {@code unit}, the unit of the key's name ({@code retention.days} in
   * days): a whole number of that unit, or a whole number with a unit ({@code ms}, {@code s},
   * {@code m}, {@code h}, {@code d}) that comes to a whole number of it ({@code 48h} is 2 days,
   * {@code 36h} is refused).
   *
   * @param unit milliseconds, seconds, minutes, hours or days
   * @param min the least allowed value, in {@code unit}
   * @return the value in {@code unit}
   * @throws IllegalArgumentException naming the key, the value and the accepted forms
   */
  public long durationAtLeast(String key, TimeUnit unit, long min) {
    long v = durationIn(key, unit);
    if (v < min) {
      throw invalid(key, "Must be at least " + min + " " + unitName(unit) + ".");
    }
    return v;
  }

  /**
   * {@link #durationAtLeast} for an int setting (e.g. a Kafka client's {@code linger.ms}).
   *
   * @throws IllegalArgumentException also when the value exceeds {@link Integer#MAX_VALUE}
   */
  public int intDurationAtLeast(String key, TimeUnit unit, int min) {
    long v = durationAtLeast(key, unit, min);
    if (v > Integer.MAX_VALUE) {
      throw invalid(key, "Must be at most " + Integer.MAX_VALUE + " " + unitName(unit) + ".");
    }
    return (int) v;
  }

  private long durationIn(String key, TimeUnit unit) {
    String text = get(key);
    Matcher m = DURATION.matcher(text);
    if (!m.matches()) {
      throw invalid(key, durationForms(unit));
    }
    try {
      long n = Long.parseLong(m.group(1));
      if (m.group(2) == null) {
        return n;
      }
      TimeUnit given =
          switch (m.group(2)) {
            case "ms" -> TimeUnit.MILLISECONDS;
            case "s" -> TimeUnit.SECONDS;
            case "m" -> TimeUnit.MINUTES;
            case "h" -> TimeUnit.HOURS;
            default -> TimeUnit.DAYS;
          };
      long ms = Math.multiplyExact(n, given.toMillis(1));
      long per = unit.toMillis(1);
      if (ms % per != 0) {
        throw invalid(
            key, "Must be a whole number of " + unitName(unit) + ". " + durationForms(unit));
      }
      return ms / per;
    } catch (NumberFormatException | ArithmeticException e) {
      throw invalid(key, "Too large. " + durationForms(unit));
    }
  }

  private static String durationForms(TimeUnit unit) {
    return "A duration is a whole number of "
        + unitName(unit)
        + " or a whole number with a unit: ms, s, m, h or d (e.g. 500ms, 10s, 5m, 1h).";
  }

  private static String unitName(TimeUnit unit) {
    return switch (unit) {
      case MILLISECONDS -> "milliseconds";
      case SECONDS -> "seconds";
      case MINUTES -> "minutes";
      case HOURS -> "hours";
      case DAYS -> "days";
      default -> throw new IllegalArgumentException("durations are counted in ms to days");
    };
  }

  /**
   * A positive duration ({@link #millis}) that is at least the one of {@code lowerKey} (e.g. a
   * maximum backoff and its initial value).
   */
  public Duration millisNotBelow(String key, String lowerKey) {
    Duration value = millis(key);
    Duration lower = millis(lowerKey);
    if (value.compareTo(lower) < 0) {
      throw invalid(key, "Must be at least " + lowerKey + " (" + lower.toMillis() + ").");
    }
    return value;
  }

  /**
   * Comma-separated {@code http(s)://host[:port]} URLs, at least one (e.g. OpenSearch nodes).
   *
   * @throws IllegalArgumentException naming the key if a part is not such a URL or none is given
   */
  public List<URI> httpUrls(String key) {
    List<URI> urls = new ArrayList<>();
    for (String part : get(key).split(",")) {
      String text = part.strip();
      if (text.isEmpty()) {
        continue;
      }
      URI uri;
      try {
        uri = URI.create(text);
      } catch (IllegalArgumentException e) {
        uri = null;
      }
      if (uri == null
          || uri.getHost() == null
          || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
        throw invalid(key, "Must be comma-separated http(s)://host:port URLs.");
      }
      urls.add(uri);
    }
    if (urls.isEmpty()) {
      throw invalid(key, "Must name at least one URL.");
    }
    return urls;
  }

  /**
   * An optional {@code http(s)://host[:port]} URL: empty when the setting is empty.
   *
   * @throws IllegalArgumentException naming the key if it is not one such URL
   */
  public Optional<URI> optionalHttpUrl(String key) {
    if (get(key).isEmpty()) {
      return Optional.empty();
    }
    List<URI> urls = httpUrls(key);
    if (urls.size() != 1) {
      throw invalid(key, "Must be one http(s)://host:port URL, or empty.");
    }
    return Optional.of(urls.get(0));
  }

  /** Every flat setting with its final value. */
  public Map<String, String> asMap() {
    return Map.copyOf(values);
  }

  private IllegalArgumentException invalid(String key, String rule) {
    return new IllegalArgumentException(
        "Invalid value for property " + key + "=" + values.get(key) + ". " + rule);
  }

  private static JsonNode readYaml(Path file) {
    try (MappingIterator<JsonNode> docs =
        YAML.readerFor(JsonNode.class).readValues(Files.readAllBytes(file))) {
      List<JsonNode> all = docs.readAll();
      if (all.size() > 1) {
        throw new IllegalArgumentException(
            "config file " + file + " holds " + all.size() + " YAML documents; give one");
      }
      return all.isEmpty() || all.get(0) == null ? YAML.createObjectNode() : all.get(0);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "cannot read config file " + file + ": " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read config file " + file + ": " + e.getMessage(), e);
    }
  }
}
