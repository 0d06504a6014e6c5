package io.spanline.sampling.policy;

import io.spanline.schemas.model.StatusCode;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads a policy file: the OpenTelemetry Collector's {@code tail_sampling} processor configuration
 * (its {@code policies} list, optionally under a {@code tail_sampling} key, so a Collector config
 * section pastes in unchanged) plus Spanline's extensions {@code tenants}, {@code never_sample},
 * {@code debug_attribute} and the {@code service_rate_limiting} and {@code adaptive} policy types.
 * The syntax of each policy type is in the sampling-stream README. Unknown fields are errors, so a
 * typo never silently widens or narrows what is kept.
 */
public final class PolicyFileParser {
  private static final Set<String> ROOT_FIELDS =
      Set.of(
          "policies",
          "tenants",
          "never_sample",
          "debug_attribute",
          "sample_on_first_match",
          // Collector settings that mean nothing here (Spanline decides on assembled traces):
          // accepted so a Collector config pastes in, and ignored.
          "decision_wait",
          "num_traces",
          "expected_new_traces_per_sec",
          "decision_cache",
          "drop_pending_traces_on_shutdown");
  private static final Set<String> POLICY_TYPES =
      Set.of(
          "always_sample",
          "latency",
          "status_code",
          "string_attribute",
          "numeric_attribute",
          "boolean_attribute",
          "probabilistic",
          "rate_limiting",
          "span_count",
          "trace_state",
          "trace_flags",
          "and",
          "drop",
          "not",
          "composite",
          "service_rate_limiting",
          "adaptive");
  private static final Set<String> UNSUPPORTED_TYPES = Set.of("bytes_limiting", "ottl_condition");

  private PolicyFileParser() {}

  /**
   * Parses a policy file's text.
   *
   * @throws PolicyFileException naming line and field of the first problem
   */
  public static SamplingPolicies parse(String yaml) throws PolicyFileException {
    Node root;
    try {
      root =
          new Yaml(new SafeConstructor(new LoaderOptions()))
              .compose(new java.io.StringReader(yaml));
    } catch (MarkedYAMLException e) {
      int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
      throw new PolicyFileException(line, "", "not valid YAML: " + e.getProblem());
    } catch (YAMLException e) {
      throw new PolicyFileException("not valid YAML: " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      // SnakeYAML refuses some tags it has scanned (e.g. "!!0e%e": "Tag must not contain leading
      // or trailing spaces") with this instead of a YAMLException
      throw new PolicyFileException("not valid YAML: " + e.getMessage(), e);
    }
    if (root == null) {
      throw new PolicyFileException(1, "", "the file is empty; it needs a \"policies\" list");
    }
    YamlField top = new YamlField(root, "");
    Map<String, YamlField> wrapper = top.mapping();
    if (wrapper.size() == 1 && wrapper.containsKey("tail_sampling")) {
      top = wrapper.get("tail_sampling");
    }
    Map<String, YamlField> fields = top.mapping(ROOT_FIELDS);
    if (!fields.containsKey("policies")) {
      throw top.error("a \"policies\" list is required");
    }
    boolean firstMatch =
        fields.containsKey("sample_on_first_match") && fields.get("sample_on_first_match").bool();
    SamplingPolicies.PolicySet defaults = policySet(fields.get("policies"), firstMatch);
    Map<String, SamplingPolicies.PolicySet> tenants = new HashMap<>();
    if (fields.containsKey("tenants")) {
      for (Map.Entry<String, YamlField> t : fields.get("tenants").mapping().entrySet()) {
        Map<String, YamlField> tf =
            t.getValue().mapping(Set.of("policies", "sample_on_first_match"));
        if (!tf.containsKey("policies")) {
          throw t.getValue().error("a \"policies\" list is required");
        }
        boolean tenantFirstMatch =
            tf.containsKey("sample_on_first_match")
                ? tf.get("sample_on_first_match").bool()
                : firstMatch;
        tenants.put(t.getKey(), policySet(tf.get("policies"), tenantFirstMatch));
      }
    }
    List<SamplingPolicies.Named> never = new ArrayList<>();
    if (fields.containsKey("never_sample")) {
      never.addAll(namedList(fields.get("never_sample")));
    }
    String debug = SamplingPolicies.DEFAULT_DEBUG_ATTRIBUTE;
    if (fields.containsKey("debug_attribute")) {
      debug = fields.get("debug_attribute").text();
    }
    return new SamplingPolicies(defaults, tenants, never, debug);
  }

  private static SamplingPolicies.PolicySet policySet(YamlField list, boolean firstMatch)
      throws PolicyFileException {
    List<SamplingPolicies.Named> drops = new ArrayList<>();
    List<SamplingPolicies.Named> others = new ArrayList<>();
    List<YamlField> items = list.list();
    if (items.isEmpty()) {
      throw list.error("at least one policy is required");
    }
    List<SamplingPolicies.Named> named = namedList(list);
    for (int i = 0; i < named.size(); i++) {
      boolean isDrop = items.get(i).mapping().get("type").text().equals("drop");
      (isDrop ? drops : others).add(named.get(i));
    }
    return new SamplingPolicies.PolicySet(drops, others, firstMatch);
  }

  /** Policies of a list, with names unique within it. */
  private static List<SamplingPolicies.Named> namedList(YamlField list) throws PolicyFileException {
    List<SamplingPolicies.Named> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (YamlField item : list.list()) {
      SamplingPolicies.Named p = policy(item);
      if (!names.add(p.name())) {
        throw item.mapping().get("name").error("policy name \"" + p.name() + "\" is used twice");
      }
      out.add(p);
    }
    return out;
  }

  private static SamplingPolicies.Named policy(YamlField item) throws PolicyFileException {
    Map<String, YamlField> f = item.mapping();
    YamlField nameField = require(item, f, "name");
    String name = nameField.text();
    if (name.isBlank()) {
      throw nameField.error("a policy name must not be empty");
    }
    if (name.equals(SamplingPolicies.DEBUG_POLICY)) {
      throw nameField.error(
          "the policy name \""
              + name
              + "\" is reserved: decisions forced by the debug attribute carry it");
    }
    String type = require(item, f, "type").text();
    if (UNSUPPORTED_TYPES.contains(type)) {
      throw f.get("type").error("policy type \"" + type + "\" is not supported by Spanline");
    }
    if (!POLICY_TYPES.contains(type)) {
      throw f.get("type").error("unknown policy type \"" + type + "\"");
    }
    for (Map.Entry<String, YamlField> e : f.entrySet()) {
      String k = e.getKey();
      if (!k.equals("name") && !k.equals("type") && !k.equals(type)) {
        throw e.getValue()
            .error("unexpected field \"" + k + "\" in a policy of type \"" + type + "\"");
      }
    }
    YamlField body = f.get(type);
    return new SamplingPolicies.Named(name, build(type, body, item));
  }

  private static YamlField require(YamlField parent, Map<String, YamlField> f, String key)
      throws PolicyFileException {
    YamlField v = f.get(key);
    if (v == null) {
      throw new PolicyFileException(
          parent.line(),
          parent.path().isEmpty() ? key : parent.path() + "." + key,
          "\"" + key + "\" is required");
    }
    return v;
  }

  private static Map<String, YamlField> body(
      YamlField body, YamlField item, String type, Set<String> allowed) throws PolicyFileException {
    if (body == null) {
      if (allowed.isEmpty()) {
        return Map.of();
      }
      throw new PolicyFileException(
          item.line(), item.path() + "." + type, "the \"" + type + "\" settings are required");
    }
    return body.mapping(allowed);
  }

  private static SamplingPolicy build(String type, YamlField body, YamlField item)
      throws PolicyFileException {
    switch (type) {
      case "always_sample" -> {
        body(body, item, type, Set.of());
        return new AlwaysSample();
      }
      case "trace_flags" -> {
        body(body, item, type, Set.of());
        return new TraceFlags();
      }
      case "latency" -> {
        Map<String, YamlField> f =
            body(body, item, type, Set.of("threshold_ms", "upper_threshold_ms"));
        long threshold = longOr(f, "threshold_ms", 0, 0, Long.MAX_VALUE);
        long upper = longOr(f, "upper_threshold_ms", 0, 0, Long.MAX_VALUE);
        if (upper != 0 && upper <= threshold) {
          throw f.get("upper_threshold_ms").error("must be above threshold_ms (" + threshold + ")");
        }
        return new Latency(threshold, upper);
      }
      case "status_code" -> {
        Map<String, YamlField> f = body(body, item, type, Set.of("status_codes"));
        YamlField codes = require(body, f, "status_codes");
        Set<StatusCode> set = EnumSet.noneOf(StatusCode.class);
        for (YamlField c : codes.list()) {
          try {
            set.add(StatusCode.valueOf(c.text().strip()));
          } catch (IllegalArgumentException e) {
            throw c.error("unknown status code \"" + c.text() + "\" (expected OK, ERROR or UNSET)");
          }
        }
        if (set.isEmpty()) {
          throw codes.error("at least one status code is required");
        }
        return new StatusCodeFilter(set);
      }
      case "string_attribute" -> {
        Map<String, YamlField> f =
            body(
                body,
                item,
                type,
                Set.of(
                    "key", "values", "enabled_regex_matching", "cache_max_size", "invert_match"));
        String key = require(body, f, "key").text();
        List<String> values = new ArrayList<>();
        for (String v : require(body, f, "values").texts()) {
          if (!v.isEmpty()) {
            values.add(v);
          }
        }
        boolean regex = boolOr(f, "enabled_regex_matching", false);
        if (regex) {
          List<YamlField> vs = f.get("values").list();
          for (YamlField v : vs) {
            try {
              Pattern.compile(v.text());
            } catch (PatternSyntaxException e) {
              throw v.error("not a valid regular expression: " + e.getDescription());
            }
          }
        }
        if (f.containsKey("cache_max_size")) {
          f.get("cache_max_size").longValue(0, Integer.MAX_VALUE);
        }
        return new StringAttribute(key, values, regex, boolOr(f, "invert_match", false));
      }
      case "numeric_attribute" -> {
        Map<String, YamlField> f =
            body(body, item, type, Set.of("key", "min_value", "max_value", "invert_match"));
        String key = require(body, f, "key").text();
        long min = longOr(f, "min_value", 0, Long.MIN_VALUE, Long.MAX_VALUE);
        long max = longOr(f, "max_value", 0, Long.MIN_VALUE, Long.MAX_VALUE);
        if (min == 0 && max == 0) {
          throw body.error(
              "min_value or max_value is required (0 means unset, as in the Collector)");
        }
        double lo = min == 0 ? Double.NEGATIVE_INFINITY : min;
        double hi = max == 0 ? Double.POSITIVE_INFINITY : max;
        if (lo > hi) {
          throw f.get("max_value").error("must not be below min_value (" + min + ")");
        }
        return new NumericAttribute(key, lo, hi, boolOr(f, "invert_match", false));
      }
      case "boolean_attribute" -> {
        Map<String, YamlField> f = body(body, item, type, Set.of("key", "value", "invert_match"));
        return new BooleanAttribute(
            require(body, f, "key").text(),
            require(body, f, "value").bool(),
            boolOr(f, "invert_match", false));
      }
      case "probabilistic" -> {
        Map<String, YamlField> f =
            body(body, item, type, Set.of("hash_salt", "sampling_percentage"));
        String salt = f.containsKey("hash_salt") ? f.get("hash_salt").text() : "";
        double pct = require(body, f, "sampling_percentage").doubleValue(0, Double.MAX_VALUE);
        return new Probabilistic(salt, pct);
      }
      case "rate_limiting" -> {
        Map<String, YamlField> f =
            body(body, item, type, Set.of("spans_per_second", "burst_capacity"));
        long sps = require(body, f, "spans_per_second").longValue(1, Long.MAX_VALUE / 4);
        long burst = longOr(f, "burst_capacity", 2 * sps, 1, Long.MAX_VALUE);
        return new RateLimiting(sps, burst);
      }
      case "span_count" -> {
        Map<String, YamlField> f = body(body, item, type, Set.of("min_spans", "max_spans"));
        int min = (int) longOr(f, "min_spans", 0, 0, Integer.MAX_VALUE);
        int max = (int) longOr(f, "max_spans", 0, 0, Integer.MAX_VALUE);
        if (max != 0 && max < min) {
          throw f.get("max_spans").error("must not be below min_spans (" + min + ")");
        }
        return new SpanCount(min, max);
      }
      case "trace_state" -> {
        Map<String, YamlField> f = body(body, item, type, Set.of("key", "values"));
        String key = require(body, f, "key").text();
        Set<String> values = new HashSet<>();
        for (String v : require(body, f, "values").texts()) {
          if (!v.isEmpty() && key.length() + v.length() < 256) {
            values.add(v);
          }
        }
        return new TraceStateFilter(key, values);
      }
      case "and" -> {
        Map<String, YamlField> f = body(body, item, type, Set.of("and_sub_policy"));
        return new And(subPolicies(require(body, f, "and_sub_policy")));
      }
      case "drop" -> {
        Map<String, YamlField> f = body(body, item, type, Set.of("drop_sub_policy"));
        return new Drop(subPolicies(require(body, f, "drop_sub_policy")));
      }
      case "not" -> {
        Map<String, YamlField> f = body(body, item, type, Set.of("not_sub_policy"));
        return new Not(policy(require(body, f, "not_sub_policy")).policy());
      }
      case "composite" -> {
        return composite(
            body(
                body,
                item,
                type,
                Set.of(
                    "max_total_spans_per_second",
                    "policy_order",
                    "composite_sub_policy",
                    "rate_allocation")),
            body);
      }
      case "service_rate_limiting" -> {
        Map<String, YamlField> f =
            body(body, item, type, Set.of("traces_per_second", "overrides", "max_services"));
        double rate = require(body, f, "traces_per_second").doubleValue(0, 1e9);
        Map<String, Double> overrides = new HashMap<>();
        if (f.containsKey("overrides")) {
          for (Map.Entry<String, YamlField> o : f.get("overrides").mapping().entrySet()) {
            overrides.put(o.getKey(), o.getValue().doubleValue(0, 1e9));
          }
        }
        int maxServices = (int) longOr(f, "max_services", 1000, 1, 1_000_000);
        return new ServiceRateLimiting(rate, overrides, maxServices);
      }
      case "adaptive" -> {
        return adaptive(
            body(
                body,
                item,
                type,
                Set.of(
                    "traces_per_second",
                    "key",
                    "max_keys",
                    "adjustment_interval_ms",
                    "moving_average_weight",
                    "hash_salt")),
            body);
      }
      default -> throw item.error("unknown policy type \"" + type + "\"");
    }
  }

  private static SamplingPolicy adaptive(Map<String, YamlField> f, YamlField body)
      throws PolicyFileException {
    double target = require(body, f, "traces_per_second").doubleValue(1e-6, 1e9);
    List<Adaptive.KeyPart> key = new ArrayList<>();
    if (f.containsKey("key")) {
      Set<String> seen = new HashSet<>();
      for (YamlField part : f.get("key").list()) {
        String text = part.text();
        if (!seen.add(text)) {
          throw part.error("key part \"" + text + "\" is listed twice");
        }
        key.add(keyPart(part, text));
      }
      if (key.isEmpty()) {
        throw f.get("key").error("at least one key part is required");
      }
    } else {
      key.add(new Adaptive.RootService());
      key.add(new Adaptive.RootName());
    }
    int maxKeys = (int) longOr(f, "max_keys", 1000, 1, 1_000_000);
    long intervalMs = longOr(f, "adjustment_interval_ms", 15_000, 1, 86_400_000);
    double weight =
        f.containsKey("moving_average_weight")
            ? f.get("moving_average_weight").doubleValue(1e-6, 1)
            : 0.5;
    String salt = f.containsKey("hash_salt") ? f.get("hash_salt").text() : "";
    return new Adaptive(target, key, maxKeys, intervalMs * 1_000_000L, weight, salt);
  }

  private static Adaptive.KeyPart keyPart(YamlField part, String text) throws PolicyFileException {
    switch (text) {
      case "root.service" -> {
        return new Adaptive.RootService();
      }
      case "root.name" -> {
        return new Adaptive.RootName();
      }
      case "tenant" -> {
        return new Adaptive.Tenant();
      }
      default -> {
        if (text.startsWith("attribute:") && text.length() > "attribute:".length()) {
          return new Adaptive.AttributeValue(text.substring("attribute:".length()));
        }
        throw part.error(
            "unknown key part \""
                + text
                + "\" (expected root.service, root.name, tenant or attribute:<key>)");
      }
    }
  }

  private static List<SamplingPolicy> subPolicies(YamlField list) throws PolicyFileException {
    List<SamplingPolicy> out = new ArrayList<>();
    for (SamplingPolicies.Named n : namedList(list)) {
      out.add(n.policy());
    }
    if (out.isEmpty()) {
      throw list.error("at least one sub-policy is required");
    }
    return out;
  }

  private static SamplingPolicy composite(Map<String, YamlField> f, YamlField body)
      throws PolicyFileException {
    long maxTotal = require(body, f, "max_total_spans_per_second").longValue(1, Long.MAX_VALUE / 4);
    YamlField subList = require(body, f, "composite_sub_policy");
    Map<String, SamplingPolicy> byName = new LinkedHashMap<>();
    for (SamplingPolicies.Named n : namedList(subList)) {
      byName.put(n.name(), n.policy());
    }
    if (byName.isEmpty()) {
      throw subList.error("at least one sub-policy is required");
    }
    List<String> order = new ArrayList<>(byName.keySet());
    if (f.containsKey("policy_order")) {
      order = new ArrayList<>();
      for (YamlField o : f.get("policy_order").list()) {
        if (!byName.containsKey(o.text())) {
          throw o.error("no composite_sub_policy is named \"" + o.text() + "\"");
        }
        order.add(o.text());
      }
      for (String name : byName.keySet()) {
        if (!order.contains(name)) {
          throw f.get("policy_order")
              .error("sub-policy \"" + name + "\" is missing from policy_order");
        }
      }
    }
    Map<String, Double> percents = new HashMap<>();
    if (f.containsKey("rate_allocation")) {
      for (YamlField a : f.get("rate_allocation").list()) {
        Map<String, YamlField> af = a.mapping(Set.of("policy", "percent"));
        String policy = require(a, af, "policy").text();
        if (!byName.containsKey(policy)) {
          throw af.get("policy").error("no composite_sub_policy is named \"" + policy + "\"");
        }
        percents.put(policy, require(a, af, "percent").doubleValue(-100, 100));
      }
    }
    List<Double> inOrder = new ArrayList<>();
    for (String name : order) {
      inOrder.add(percents.get(name));
    }
    List<Long> allocation = Composite.allocate(maxTotal, inOrder);
    List<Composite.SubPolicy> subs = new ArrayList<>();
    for (int i = 0; i < order.size(); i++) {
      subs.add(new Composite.SubPolicy(order.get(i), byName.get(order.get(i)), allocation.get(i)));
    }
    return new Composite(maxTotal, subs);
  }

  private static long longOr(Map<String, YamlField> f, String key, long dflt, long min, long max)
      throws PolicyFileException {
    return f.containsKey(key) ? f.get(key).longValue(min, max) : dflt;
  }

  private static boolean boolOr(Map<String, YamlField> f, String key, boolean dflt)
      throws PolicyFileException {
    return f.containsKey(key) ? f.get(key).bool() : dflt;
  }
}
