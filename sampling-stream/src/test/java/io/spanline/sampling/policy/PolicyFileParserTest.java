package io.spanline.sampling.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Errors name line and field, and no mistake is silently accepted. */
class PolicyFileParserTest {
  private static PolicyFileException error(String yaml) {
    try {
      PolicyFileParser.parse(yaml);
    } catch (PolicyFileException e) {
      return e;
    }
    throw new AssertionError("accepted: " + yaml);
  }

  @Test
  void aBadNumberNamesLineAndField() {
    PolicyFileException e =
        error(
            """
            policies:
              - name: errors
                type: status_code
                status_code: {status_codes: [ERROR]}
              - name: slow
                type: latency
                latency:
                  threshold_ms: fast
            """);
    assertThat(e.line()).isEqualTo(8);
    assertThat(e.field()).isEqualTo("policies[1].latency.threshold_ms");
    assertThat(e.getMessage())
        .isEqualTo(
            "line 8, field policies[1].latency.threshold_ms: expected an integer, was \"fast\"");
  }

  /** Found by PolicyFileParserFuzzTest: this recursed until the stack overflowed. */
  @Test
  void anAliasToANodeThatContainsIt_isAnError_notAStackOverflow() {
    PolicyFileException e =
        error("policies:\n  - &p {name: x, type: not, not: {not_sub_policy: *p}}\n");
    assertThat(e.line()).isEqualTo(2);
    assertThat(e.field()).isEqualTo("policies[0].not.not_sub_policy");
    assertThat(e.getMessage()).contains("recursive");
  }

  /**
   * Found by the long run of PolicyFileParserFuzzTest: SnakeYAML refused the tag with an
   * IllegalArgumentException, which escaped the parser instead of a PolicyFileException.
   */
  @Test
  void aTagSnakeYamlRefuses_isInvalidYaml_notAnIllegalArgumentException() {
    PolicyFileException e = error("!!0e%e");
    assertThat(e.getMessage()).startsWith("not valid YAML: ").contains("Tag");
  }

  @Test
  void aliasesThatAreNotRecursive_stillParse() throws Exception {
    SamplingPolicies p =
        PolicyFileParser.parse(
            """
            policies:
              - &slow {name: slow, type: latency, latency: {threshold_ms: 100}}
              - {name: fast, type: not, not: {not_sub_policy: *slow}}
            tenants:
              a: {policies: [*slow]}
            """);
    assertThat(p).isNotNull();
  }

  @Test
  void aMisspelledFieldIsAnError() {
    PolicyFileException e =
        error("policies:\n  - {name: s, type: latency, latency: {treshold_ms: 10}}\n");
    assertThat(e.field()).isEqualTo("policies[0].latency.treshold_ms");
    assertThat(e.getMessage()).contains("unknown field \"treshold_ms\"");
  }

  @Test
  void unknownAndUnsupportedTypesAreNamed() {
    assertThat(error("policies: [{name: x, type: sometimes}]").getMessage())
        .contains("policies[0].type")
        .contains("unknown policy type \"sometimes\"");
    assertThat(
            error("policies: [{name: x, type: ottl_condition, ottl_condition: {}}]").getMessage())
        .contains("not supported by Spanline");
  }

  @Test
  void namesAreRequiredAndUnique() {
    assertThat(error("policies: [{type: always_sample}]").getMessage())
        .contains("policies[0].name")
        .contains("required");
    assertThat(
            error("policies: [{name: a, type: always_sample}, {name: a, type: always_sample}]")
                .getMessage())
        .contains("used twice");
  }

  @Test
  void invalidValuesAreRejected() {
    assertThat(
            error("policies: [{name: s, type: status_code, status_code: {status_codes: [BAD]}}]")
                .getMessage())
        .contains("unknown status code \"BAD\"");
    assertThat(
            error(
                    "policies: [{name: s, type: string_attribute, string_attribute: {key: k,"
                        + " values: ['(unclosed'], enabled_regex_matching: true}}]")
                .getMessage())
        .contains("not a valid regular expression");
    assertThat(
            error(
                    "policies: [{name: l, type: latency, latency: {threshold_ms: 100,"
                        + " upper_threshold_ms: 50}}]")
                .getMessage())
        .contains("must be above threshold_ms");
    assertThat(
            error("policies: [{name: n, type: numeric_attribute, numeric_attribute: {key: k}}]")
                .getMessage())
        .contains("min_value or max_value is required");
    assertThat(
            error(
                    "policies: [{name: c, type: composite, composite: {max_total_spans_per_second:"
                        + " 10, composite_sub_policy: [{name: a, type: always_sample}],"
                        + " rate_allocation: [{policy: b, percent: 10}]}}]")
                .getMessage())
        .contains("no composite_sub_policy is named \"b\"");
  }

  @Test
  void brokenYamlAndEmptyFilesAreErrors() {
    assertThat(error("policies: [\n  {name: a\n").line()).isPositive();
    assertThat(error("").getMessage()).contains("empty");
    assertThat(error("tenants: {}").getMessage()).contains("\"policies\" list is required");
  }

  @Test
  void theDocumentedExampleFileParses_andDecidesAsItsCommentsSay() throws Exception {
    SamplingPolicies p =
        PolicyFileParser.parse(
            java.nio.file.Files.readString(java.nio.file.Path.of("policies.example.yaml")));
    assertThat(p.tenantsWithOwnPolicies()).containsExactly("acme");
    var health =
        io.spanline.schemas.testing.TraceBuilder.trace()
            .root("frontend", "GET /healthz", 5000)
            .error()
            .attr("http.route", "/healthz")
            .build();
    assertThat(p.decide(health, 0).kept()).isFalse();
  }

  @Test
  void everyPolicyTypeParses() throws Exception {
    assertThatThrownBy(() -> PolicyFileParser.parse("policies: []"))
        .isInstanceOf(PolicyFileException.class);
    SamplingPolicies p =
        PolicyFileParser.parse(
            """
            policies:
              - {name: a, type: always_sample}
              - {name: b, type: latency, latency: {threshold_ms: 1}}
              - {name: c, type: status_code, status_code: {status_codes: [ERROR, UNSET]}}
              - {name: d, type: string_attribute, string_attribute: {key: k, values: [v], cache_max_size: 10}}
              - {name: e, type: numeric_attribute, numeric_attribute: {key: k, max_value: 10, invert_match: true}}
              - {name: f, type: boolean_attribute, boolean_attribute: {key: k, value: false}}
              - {name: g, type: probabilistic, probabilistic: {hash_salt: s, sampling_percentage: 12.5}}
              - {name: h, type: rate_limiting, rate_limiting: {spans_per_second: 5, burst_capacity: 7}}
              - {name: i, type: span_count, span_count: {min_spans: 2}}
              - {name: j, type: trace_state, trace_state: {key: k, values: [v]}}
              - {name: k, type: trace_flags}
              - {name: l, type: and, and: {and_sub_policy: [{name: l1, type: always_sample}]}}
              - {name: m, type: not, not: {not_sub_policy: {name: m1, type: always_sample}}}
              - {name: n, type: drop, drop: {drop_sub_policy: [{name: n1, type: trace_flags}]}}
              - {name: o, type: composite, composite: {max_total_spans_per_second: 5, composite_sub_policy: [{name: o1, type: always_sample}]}}
              - {name: p, type: service_rate_limiting, service_rate_limiting: {traces_per_second: 1}}
            """);
    assertThat(p).isNotNull();
  }
}
