package io.spanline.sampling.policy;

import static io.spanline.schemas.testing.TraceBuilder.trace;
import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.testing.TraceBuilder;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Golden tests: each policy type, written in the Collector's syntax, on traces made for it. */
class PolicyTypesTest {
  private static final long NOW = TraceBuilder.START;

  /**
   * Parses a file holding one policy and says whether it keeps the trace, read both from the model
   * and from Avro bytes (as the stream reads it): the two must agree.
   */
  private static boolean keeps(String policyYaml, AssembledTrace trace) throws Exception {
    String file = "policies:\n" + policyYaml.indent(2);
    boolean fromModel = PolicyFileParser.parse(file).decide(trace, NOW).kept();
    boolean fromAvro =
        PolicyFileParser.parse(file).decide(TraceBuilder.avroView(trace), NOW).kept();
    assertThat(fromAvro).as("decision on the Avro view").isEqualTo(fromModel);
    return fromModel;
  }

  @Nested
  class AlwaysSampleAndLatency {
    @Test
    void alwaysSampleKeepsEverything() throws Exception {
      assertThat(keeps("- {name: all, type: always_sample}", trace().root("a", "x", 1).build()))
          .isTrue();
    }

    @Test
    void latencyExactlyAtTheThresholdIsKept() throws Exception {
      String policy = "- {name: slow, type: latency, latency: {threshold_ms: 500}}";
      assertThat(keeps(policy, trace().root("a", "x", 500).build())).isTrue();
      assertThat(keeps(policy, trace().root("a", "x", 499).build())).isFalse();
    }

    @Test
    void latencyIsTheWholeTrace_earliestStartToLatestEnd() throws Exception {
      String policy = "- {name: slow, type: latency, latency: {threshold_ms: 300}}";
      // root 100 ms, child starts at 1 ms and lasts 200 ms → trace spans 201 ms
      assertThat(keeps(policy, trace().root("a", "x", 100).child("b", "y", 200).build())).isFalse();
      assertThat(keeps(policy, trace().root("a", "x", 100).child("b", "y", 299).build())).isTrue();
    }

    @Test
    void latencyWithUpperBoundKeepsAboveThresholdUpToUpper() throws Exception {
      String policy =
          "- {name: band, type: latency, latency: {threshold_ms: 100, upper_threshold_ms: 200}}";
      assertThat(keeps(policy, trace().root("a", "x", 100).build())).isTrue();
      assertThat(keeps(policy, trace().root("a", "x", 200).build())).isTrue();
      assertThat(keeps(policy, trace().root("a", "x", 201).build())).isFalse();
      assertThat(keeps(policy, trace().root("a", "x", 99).build())).isFalse();
    }
  }

  @Nested
  class StatusAndCounts {
    @Test
    void statusCodeKeepsTracesWithAnErrorSpan() throws Exception {
      String policy = "- {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}";
      assertThat(keeps(policy, trace().root("a", "x", 1).child("b", "y", 1).error().build()))
          .isTrue();
      assertThat(keeps(policy, trace().root("a", "x", 1).ok().child("b", "y", 1).build()))
          .isFalse();
    }

    @Test
    void spanCountBoundsAreInclusive_andZeroMaxIsUnbounded() throws Exception {
      String policy = "- {name: n, type: span_count, span_count: {min_spans: 3, max_spans: 5}}";
      assertThat(keeps(policy, trace().root("a", "x", 1).children(1, "a").build())).isFalse();
      assertThat(keeps(policy, trace().root("a", "x", 1).children(2, "a").build())).isTrue();
      assertThat(keeps(policy, trace().root("a", "x", 1).children(4, "a").build())).isTrue();
      assertThat(keeps(policy, trace().root("a", "x", 1).children(5, "a").build())).isFalse();
      String open = "- {name: n, type: span_count, span_count: {min_spans: 3}}";
      assertThat(keeps(open, trace().root("a", "x", 1).children(500, "a").build())).isTrue();
    }

    @Test
    void traceStateMatchesAListMemberExactly() throws Exception {
      String policy =
          "- {name: ts, type: trace_state, trace_state: {key: vendor, values: [gold, silver]}}";
      assertThat(
              keeps(policy, trace().root("a", "x", 1).traceState("other=1, vendor=gold").build()))
          .isTrue();
      assertThat(keeps(policy, trace().root("a", "x", 1).traceState("vendor=golden").build()))
          .isFalse();
      assertThat(keeps(policy, trace().root("a", "x", 1).build())).isFalse();
    }

    @Test
    void traceFlagsKeepsSpansWithTheSampledBit() throws Exception {
      String policy = "- {name: flagged, type: trace_flags}";
      assertThat(keeps(policy, trace().root("a", "x", 1).flags(1).build())).isTrue();
      assertThat(keeps(policy, trace().root("a", "x", 1).flags(0).build())).isFalse();
    }
  }

  @Nested
  class Attributes {
    @Test
    void stringAttributeMatchesSpanOrResourceValues() throws Exception {
      String policy =
          "- {name: s, type: string_attribute, string_attribute: {key: env, values: [prod]}}";
      assertThat(keeps(policy, trace().root("a", "x", 1).attr("env", "prod").build())).isTrue();
      assertThat(keeps(policy, trace().root("a", "x", 1).resourceAttr("env", "prod").build()))
          .isTrue();
      assertThat(keeps(policy, trace().root("a", "x", 1).attr("env", "production").build()))
          .isFalse();
    }

    @Test
    void stringAttributeRegexMatchesAnywhereUnlessAnchored() throws Exception {
      String partial =
          "- {name: s, type: string_attribute, string_attribute: {key: http.route, values: ['/api/'],"
              + " enabled_regex_matching: true}}";
      assertThat(keeps(partial, trace().root("a", "x", 1).attr("http.route", "/v1/api/x").build()))
          .isTrue();
      String anchored =
          "- {name: s, type: string_attribute, string_attribute: {key: http.route, values:"
              + " ['^/api/'], enabled_regex_matching: true}}";
      assertThat(keeps(anchored, trace().root("a", "x", 1).attr("http.route", "/v1/api/x").build()))
          .isFalse();
    }

    @Test
    void invertMatchKeepsTracesWithoutTheValue_includingThoseWithoutTheKey() throws Exception {
      String policy =
          "- {name: s, type: string_attribute, string_attribute: {key: http.route, values:"
              + " [/healthz], invert_match: true}}";
      assertThat(keeps(policy, trace().root("a", "x", 1).attr("http.route", "/healthz").build()))
          .isFalse();
      assertThat(keeps(policy, trace().root("a", "x", 1).attr("http.route", "/cart").build()))
          .isTrue();
      assertThat(keeps(policy, trace().root("a", "x", 1).build())).isTrue();
    }

    @Test
    void numericAttributeBoundsAreInclusive_andAMissingBoundIsOpen() throws Exception {
      String policy =
          "- {name: n, type: numeric_attribute, numeric_attribute: {key: http.status_code,"
              + " min_value: 500, max_value: 599}}";
      assertThat(keeps(policy, trace().root("a", "x", 1).attr("http.status_code", 500L).build()))
          .isTrue();
      assertThat(keeps(policy, trace().root("a", "x", 1).attr("http.status_code", 599L).build()))
          .isTrue();
      assertThat(keeps(policy, trace().root("a", "x", 1).attr("http.status_code", 404L).build()))
          .isFalse();
      String minOnly =
          "- {name: n, type: numeric_attribute, numeric_attribute: {key: retries, min_value: 3}}";
      assertThat(keeps(minOnly, trace().root("a", "x", 1).attr("retries", 1_000_000L).build()))
          .isTrue();
      assertThat(keeps(minOnly, trace().root("a", "x", 1).attr("retries", 2L).build())).isFalse();
    }

    @Test
    void booleanAttributeMatchesBooleanValuesOnly() throws Exception {
      String policy =
          "- {name: b, type: boolean_attribute, boolean_attribute: {key: cache.miss, value: true}}";
      assertThat(keeps(policy, trace().root("a", "x", 1).attr("cache.miss", true).build()))
          .isTrue();
      assertThat(keeps(policy, trace().root("a", "x", 1).attr("cache.miss", false).build()))
          .isFalse();
      assertThat(keeps(policy, trace().root("a", "x", 1).attr("cache.miss", "true").build()))
          .isFalse();
    }
  }

  @Nested
  class Combinations {
    @Test
    void andKeepsOnlyWhenEverySubPolicyKeeps() throws Exception {
      String policy =
          """
          - name: slow-checkout
            type: and
            and:
              and_sub_policy:
                - {name: slow, type: latency, latency: {threshold_ms: 100}}
                - {name: checkout, type: string_attribute, string_attribute: {key: svc, values: [checkout]}}
          """;
      assertThat(keeps(policy, trace().root("a", "x", 150).attr("svc", "checkout").build()))
          .isTrue();
      assertThat(keeps(policy, trace().root("a", "x", 50).attr("svc", "checkout").build()))
          .isFalse();
      assertThat(keeps(policy, trace().root("a", "x", 150).attr("svc", "cart").build())).isFalse();
    }

    @Test
    void notInvertsItsSubPolicy() throws Exception {
      String policy =
          """
          - name: not-ok
            type: not
            not:
              not_sub_policy: {name: ok, type: status_code, status_code: {status_codes: [OK]}}
          """;
      assertThat(keeps(policy, trace().root("a", "x", 1).ok().build())).isFalse();
      assertThat(keeps(policy, trace().root("a", "x", 1).build())).isTrue();
    }

    @Test
    void dropBeatsAnyKeep() throws Exception {
      SamplingPolicies p =
          PolicyFileParser.parse(
              """
              policies:
                - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}
                - name: no-synthetics
                  type: drop
                  drop:
                    drop_sub_policy:
                      - {name: synthetic, type: boolean_attribute, boolean_attribute: {key: synthetic, value: true}}
              """);
      Verdict v = p.decide(trace().root("a", "x", 1).error().attr("synthetic", true).build(), NOW);
      assertThat(v.kept()).isFalse();
      assertThat(v.rule()).isEqualTo(Verdict.Rule.DROP_POLICY);
      assertThat(v.policies()).containsExactly("no-synthetics");
      assertThat(p.decide(trace().root("a", "x", 1).error().build(), NOW).policies())
          .containsExactly("errors");
    }

    @Test
    void anyKeepWins_andEveryKeepingPolicyIsNamed() throws Exception {
      SamplingPolicies p =
          PolicyFileParser.parse(
              """
              policies:
                - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}
                - {name: slow, type: latency, latency: {threshold_ms: 10}}
                - {name: prod, type: string_attribute, string_attribute: {key: env, values: [prod]}}
              """);
      Verdict v = p.decide(trace().root("a", "x", 20).error().build(), NOW);
      assertThat(v.kept()).isTrue();
      assertThat(v.policies()).containsExactly("errors", "slow");
      assertThat(v.probability()).isEqualTo(1.0);
    }

    @Test
    void sampleOnFirstMatchStopsAtTheFirstKeep() throws Exception {
      SamplingPolicies p =
          PolicyFileParser.parse(
              """
              sample_on_first_match: true
              policies:
                - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}
                - {name: slow, type: latency, latency: {threshold_ms: 10}}
              """);
      assertThat(p.decide(trace().root("a", "x", 20).error().build(), NOW).policies())
          .containsExactly("errors");
    }
  }
}
