package io.spanline.sampling.policy;

import static io.spanline.schemas.testing.TraceBuilder.trace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Tenants, never-sample rules, the debug attribute, and the order they apply in. */
class SamplingPoliciesTest {
  private static final String FILE =
      """
      policies:
        - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}
      never_sample:
        - {name: health-checks, type: string_attribute, string_attribute: {key: http.route, values: [/healthz]}}
      tenants:
        acme:
          policies:
            - {name: acme-slow, type: latency, latency: {threshold_ms: 100}}
      """;

  @Test
  void aTenantWithItsOwnSetUsesIt_othersUseTheDefault() throws Exception {
    SamplingPolicies p = PolicyFileParser.parse(FILE);
    assertThat(p.decide(trace().tenant("acme").root("a", "x", 150).build(), 0).policies())
        .containsExactly("acme-slow");
    assertThat(p.decide(trace().tenant("acme").root("a", "x", 1).error().build(), 0).kept())
        .as("acme's set has no error policy")
        .isFalse();
    assertThat(p.decide(trace().tenant("globex").root("a", "x", 1).error().build(), 0).kept())
        .isTrue();
    assertThat(p.decide(trace().tenant("globex").root("a", "x", 150).build(), 0).kept()).isFalse();
    assertThat(p.tenantsWithOwnPolicies()).containsExactly("acme");
  }

  @Test
  void neverSampleRulesDropEvenWhatAPolicyKeeps() throws Exception {
    Verdict v =
        PolicyFileParser.parse(FILE)
            .decide(trace().root("a", "x", 1).error().attr("http.route", "/healthz").build(), 0);
    assertThat(v.kept()).isFalse();
    assertThat(v.rule()).isEqualTo(Verdict.Rule.NEVER_SAMPLE);
    assertThat(v.policies()).containsExactly("health-checks");
  }

  @Test
  void theDebugAttributeForcesKeep_beforeEverythingElse() throws Exception {
    SamplingPolicies p = PolicyFileParser.parse(FILE);
    Verdict v =
        p.decide(
            trace()
                .root("a", "x", 1)
                .attr("http.route", "/healthz")
                .child("b", "y", 1)
                .attr("spanline.debug", true)
                .build(),
            0);
    assertThat(v.kept()).isTrue();
    assertThat(v.rule()).isEqualTo(Verdict.Rule.DEBUG);
    assertThat(p.decide(trace().root("a", "x", 1).attr("spanline.debug", "true").build(), 0).kept())
        .isTrue();
    assertThat(p.decide(trace().root("a", "x", 1).attr("spanline.debug", false).build(), 0).kept())
        .isFalse();
  }

  @Test
  void theDebugAttributeAsABaggageCopyOfOne_forcesKeep_underThePolicyNameDebug() throws Exception {
    // Given a policy file that keeps errors only
    SamplingPolicies p = PolicyFileParser.parse(FILE);

    // When a trace carries spanline.debug = "1", what a baggage entry copied into a span holds
    Verdict v = p.decide(trace().root("a", "x", 1).attr("spanline.debug", "1").build(), 0);

    // Then it is kept, and the decision names the policy "debug"
    assertThat(v.kept()).isTrue();
    assertThat(v.rule()).isEqualTo(Verdict.Rule.DEBUG);
    assertThat(v.policies()).containsExactly(SamplingPolicies.DEBUG_POLICY);
    assertThat(v.probability()).isEqualTo(1.0);
    assertThat(p.decide(trace().root("a", "x", 1).attr("spanline.debug", "0").build(), 0).kept())
        .isFalse();
  }

  @Test
  void aPolicyNamedDebugIsRefused() {
    assertThatThrownBy(
            () -> PolicyFileParser.parse("policies: [{name: debug, type: always_sample}]"))
        .isInstanceOf(PolicyFileException.class)
        .hasMessageContaining("reserved");
  }

  @Test
  void theDebugAttributeKeyIsConfigurable() throws Exception {
    SamplingPolicies p =
        PolicyFileParser.parse(
            "debug_attribute: force.keep\npolicies: [{name: none, type: span_count, span_count:"
                + " {min_spans: 1000}}]");
    assertThat(p.decide(trace().root("a", "x", 1).attr("force.keep", true).build(), 0).kept())
        .isTrue();
    assertThat(p.decide(trace().root("a", "x", 1).attr("spanline.debug", true).build(), 0).kept())
        .isFalse();
  }

  @Test
  void aTraceNoPolicyKeepsIsDroppedWithNoPolicyNamed() throws Exception {
    Verdict v = PolicyFileParser.parse(FILE).decide(trace().root("a", "x", 1).build(), 0);
    assertThat(v.kept()).isFalse();
    assertThat(v.rule()).isEqualTo(Verdict.Rule.NOT_SAMPLED);
    assertThat(v.policies()).isEmpty();
  }

  @Test
  void aCollectorConfigSectionPastesInUnchanged() throws Exception {
    SamplingPolicies p =
        PolicyFileParser.parse(
            """
            tail_sampling:
              decision_wait: 10s
              num_traces: 100
              expected_new_traces_per_sec: 10
              decision_cache:
                sampled_cache_size: 100000
              policies:
                [
                  {name: test-policy-1, type: always_sample},
                  {name: test-policy-2, type: latency, latency: {threshold_ms: 5000}},
                ]
            """);
    assertThat(p.decide(trace().root("a", "x", 1).build(), 0).policies())
        .containsExactly("test-policy-1");
  }
}
