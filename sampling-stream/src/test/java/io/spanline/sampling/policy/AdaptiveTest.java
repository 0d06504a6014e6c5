package io.spanline.sampling.policy;

import static io.spanline.schemas.testing.TraceBuilder.trace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.TraceView;
import io.spanline.schemas.testing.TraceBuilder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code adaptive} policy type, decided straight on the policy file's result. */
class AdaptiveTest {
  private static final long SECOND = 1_000_000_000L;
  private static final long T0 = 1_763_800_000L * SECOND;

  private static final String ADAPTIVE_5 =
      """
      policies:
        - name: per-endpoint
          type: adaptive
          adaptive: {traces_per_second: 5, adjustment_interval_ms: 1000}
      """;

  @Test
  void aKeySlowerThanItsTargetIsAllKept_withProbabilityOne() throws Exception {
    SamplingPolicies p = PolicyFileParser.parse(ADAPTIVE_5);
    for (int i = 0; i < 40; i++) {
      Verdict v = p.decide(trace().root("shop", "GET /rare", 1).build(), T0 + i * SECOND / 4);
      assertThat(v.kept()).as("trace %d at 4/s", i).isTrue();
      assertThat(v.probability()).isEqualTo(1.0);
    }
  }

  @Test
  void aBusyKeyIsHeldNearItsTarget_andEachKeptTraceCarriesItsProbability() throws Exception {
    // Given 100 traces a second of one endpoint for 60 s, target 20/s
    SamplingPolicies p =
        PolicyFileParser.parse(
            "policies: [{name: a, type: adaptive, adaptive: {traces_per_second: 20,"
                + " adjustment_interval_ms: 1000}}]");
    int keptAfterWarmUp = 0;
    double adjusted = 0;
    for (int i = 0; i < 6000; i++) {
      Verdict v = p.decide(trace().root("shop", "GET /hot", 1).build(), T0 + i * SECOND / 100);
      if (v.kept()) {
        adjusted += 1 / v.probability();
        if (i >= 500) {
          keptAfterWarmUp++;
          assertThat(v.probability()).isCloseTo(0.2, within(0.02));
        }
      }
    }
    // Then after 5 s it keeps about 20/s: 55 s × 20 = 1100 (binomial sd about 30)
    assertThat(keptAfterWarmUp).isBetween(1000, 1200);
    // and the adjusted counts add up to about the 6000 offered (sd about 2.5 %)
    assertThat(adjusted).isBetween(5400.0, 6600.0);
  }

  @Test
  void theSameTraceGetsTheSameAnswer_underTheSameProbability() throws Exception {
    // Given two policy instances that saw the same workload
    SamplingPolicies a = PolicyFileParser.parse(ADAPTIVE_5);
    SamplingPolicies b = PolicyFileParser.parse(ADAPTIVE_5);
    List<AssembledTrace> traces = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      traces.add(trace().root("shop", "GET /hot", 1).build());
    }
    // Then every trace gets the same decision from both (a replay agrees with the live run)
    for (int i = 0; i < traces.size(); i++) {
      long t = T0 + i * SECOND / 100;
      assertThat(a.decide(traces.get(i), t).kept())
          .as("trace %d", i)
          .isEqualTo(b.decide(traces.get(i), t).kept());
    }
  }

  @Test
  void theSnapshotShowsEachKeysProbabilityAndObservedRate() throws Exception {
    SamplingPolicies p = PolicyFileParser.parse(ADAPTIVE_5);
    for (int i = 0; i < 1000; i++) {
      p.decide(trace().root("shop", "GET /hot", 1).build(), T0 + i * SECOND / 100);
    }
    p.decide(trace().root("shop", "GET /rare", 1).build(), T0 + 9 * SECOND);

    assertThat(p.adaptiveRates())
        .extracting(AdaptiveRate::policy, AdaptiveRate::key)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("per-endpoint", List.of("shop", "GET /hot")),
            org.assertj.core.groups.Tuple.tuple("per-endpoint", List.of("shop", "GET /rare")));
    AdaptiveRate hot = p.adaptiveRates().get(0);
    assertThat(hot.observedTracesPerSecond()).isCloseTo(100, within(2.0));
    assertThat(hot.probability()).isCloseTo(0.05, within(0.002));
    AdaptiveRate rare = p.adaptiveRates().get(1);
    assertThat(rare.probability()).isEqualTo(1.0);
  }

  @Test
  void keysPastMaxKeysShareOneRate() throws Exception {
    SamplingPolicies p =
        PolicyFileParser.parse(
            """
            policies:
              - name: by-service
                type: adaptive
                adaptive: {traces_per_second: 1, key: [root.service], max_keys: 2}
            """);
    for (int s = 0; s < 5; s++) {
      p.decide(trace().root("svc-" + s, "op", 1).build(), T0);
    }
    assertThat(p.adaptiveRates())
        .extracting(AdaptiveRate::key)
        .containsExactly(List.of("svc-0"), List.of("svc-1"), AdaptiveRate.OTHER);
  }

  @Test
  void theKeyMayBeTheTenantAndAnAttribute() throws Exception {
    SamplingPolicies p =
        PolicyFileParser.parse(
            """
            policies:
              - name: by-route
                type: adaptive
                adaptive: {traces_per_second: 1, key: [tenant, "attribute:http.route"]}
            """);
    p.decide(trace().tenant("acme").root("a", "x", 1).attr("http.route", "/cart").build(), T0);
    p.decide(trace().tenant("acme").root("a", "x", 1).build(), T0);
    assertThat(p.adaptiveRates())
        .extracting(AdaptiveRate::key)
        .containsExactly(List.of("acme", ""), List.of("acme", "/cart"));
  }

  @Test
  void theRootNameIsTheParentlessSpans_readTheSameFromAvro() {
    AssembledTrace t = trace().root("front", "GET /", 5).child("db", "SELECT", 1).build();
    TraceView avro = TraceBuilder.avroView(t);
    assertThat(new Adaptive.RootName().of(avro)).isEqualTo("GET /");
    assertThat(new Adaptive.RootName().of(TraceView.of(t))).isEqualTo("GET /");
  }

  @Test
  void badSettingsAreRefusedNamingTheField() {
    assertThatThrownBy(
            () ->
                PolicyFileParser.parse(
                    "policies: [{name: a, type: adaptive, adaptive: {key: [root.service]}}]"))
        .isInstanceOf(PolicyFileException.class)
        .hasMessageContaining("traces_per_second");
    assertThatThrownBy(
            () ->
                PolicyFileParser.parse(
                    "policies: [{name: a, type: adaptive, adaptive: {traces_per_second: 5,"
                        + " key: [root.operation]}}]"))
        .isInstanceOf(PolicyFileException.class)
        .hasMessageContaining("unknown key part \"root.operation\"");
    assertThatThrownBy(
            () ->
                PolicyFileParser.parse(
                    "policies: [{name: a, type: adaptive, adaptive: {traces_per_second: 5,"
                        + " moving_average_weight: 1.5}}]"))
        .isInstanceOf(PolicyFileException.class)
        .hasMessageContaining("moving_average_weight");
  }
}
