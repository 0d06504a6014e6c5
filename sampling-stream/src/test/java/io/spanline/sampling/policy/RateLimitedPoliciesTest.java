package io.spanline.sampling.policy;

import static io.spanline.schemas.testing.TraceBuilder.trace;
import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.schemas.model.AssembledTrace;
import org.junit.jupiter.api.Test;

/** Rate limits count in evaluation time (the record's timestamp), so these tests set it. */
class RateLimitedPoliciesTest {
  private static final long SECOND = 1_000_000_000L;
  private static final long T0 = 1_763_800_000L * SECOND;

  private static AssembledTrace spans(int n) {
    return trace().root("svc", "op", 1).children(n - 1, "svc").build();
  }

  private static AssembledTrace rootedIn(String service) {
    return trace().root(service, "op", 1).build();
  }

  @Test
  void rateLimitingKeepsUpToTheBurst_thenRefillsAtTheRate() throws Exception {
    SamplingPolicies p =
        PolicyFileParser.parse(
            "policies: [{name: rl, type: rate_limiting, rate_limiting: {spans_per_second: 10}}]");
    // burst_capacity defaults to 2 × 10 spans: four 5-span traces fit, the fifth does not
    for (int i = 0; i < 4; i++) {
      assertThat(p.decide(spans(5), T0).kept()).as("trace %d", i).isTrue();
    }
    assertThat(p.decide(spans(5), T0).kept()).isFalse();
    // half a second later 5 tokens are back
    assertThat(p.decide(spans(5), T0 + SECOND / 2).kept()).isTrue();
    assertThat(p.decide(spans(5), T0 + SECOND / 2).kept()).isFalse();
  }

  @Test
  void rateLimitedKeepsCarryTheKeptShareOfThePreviousSecondAsProbability() throws Exception {
    SamplingPolicies p =
        PolicyFileParser.parse(
            "policies: [{name: rl, type: rate_limiting, rate_limiting: {spans_per_second: 4,"
                + " burst_capacity: 4}}]");
    int kept = 0;
    for (int i = 0; i < 16; i++) {
      if (p.decide(spans(1), T0).kept()) {
        kept++;
      }
    }
    assertThat(kept).isEqualTo(4);
    Verdict next = p.decide(spans(1), T0 + SECOND);
    assertThat(next.kept()).isTrue();
    assertThat(next.probability()).isEqualTo(0.25);
  }

  @Test
  void compositeGivesEachSubPolicyItsShareAndTheFirstMatchDecides() throws Exception {
    SamplingPolicies p =
        PolicyFileParser.parse(
            """
            policies:
              - name: composite
                type: composite
                composite:
                  max_total_spans_per_second: 100
                  policy_order: [errors, everything-else]
                  composite_sub_policy:
                    - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}
                    - {name: everything-else, type: always_sample}
                  rate_allocation:
                    - {policy: errors, percent: 60}
                    - {policy: everything-else, percent: 40}
            """);
    // errors get 60 spans/s: six 10-span error traces, not a seventh
    for (int i = 0; i < 6; i++) {
      assertThat(p.decide(trace().root("s", "o", 1).error().children(9, "s").build(), T0).kept())
          .isTrue();
    }
    AssembledTrace seventhError = trace().root("s", "o", 1).error().children(9, "s").build();
    assertThat(p.decide(seventhError, T0).kept())
        .as("over its allocation, the first matching sub-policy decides: not kept")
        .isFalse();
    // the rest get 40 spans/s
    for (int i = 0; i < 4; i++) {
      assertThat(p.decide(spans(10), T0).kept()).isTrue();
    }
    assertThat(p.decide(spans(10), T0).kept()).isFalse();
    // next second, budgets restart
    assertThat(p.decide(seventhError, T0 + SECOND).kept()).isTrue();
  }

  @Test
  void compositeSubPoliciesWithoutAllocationShareWhatIsLeft() {
    assertThat(Composite.allocate(1000, java.util.Arrays.asList(50.0, null, null)))
        .containsExactly(500L, 250L, 250L);
    assertThat(Composite.allocate(900, java.util.Arrays.asList(0.0, 30.0, null)))
        .containsExactly(300L, 270L, 630L);
  }

  @Test
  void serviceRateLimitingGivesEveryRootServiceItsOwnBudget() throws Exception {
    SamplingPolicies p =
        PolicyFileParser.parse(
            """
            policies:
              - name: per-service
                type: service_rate_limiting
                service_rate_limiting:
                  traces_per_second: 2
                  overrides: {checkout: 5}
            """);
    int busyKept = 0;
    for (int i = 0; i < 1000; i++) {
      if (p.decide(rootedIn("frontend"), T0).kept()) {
        busyKept++;
      }
    }
    assertThat(busyKept).isEqualTo(2);
    assertThat(p.decide(rootedIn("rare-batch-job"), T0).kept())
        .as("a busy service does not use up a rare one's budget")
        .isTrue();
    int checkoutKept = 0;
    for (int i = 0; i < 100; i++) {
      if (p.decide(rootedIn("checkout"), T0).kept()) {
        checkoutKept++;
      }
    }
    assertThat(checkoutKept).isEqualTo(5);
  }
}
