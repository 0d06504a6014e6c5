package io.spanline.sampling;

import static io.spanline.schemas.testing.TraceBuilder.trace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.spanline.sampling.policy.AdaptiveRate;
import io.spanline.sampling.testing.SamplingDriver;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.model.SamplingDecision;
import io.spanline.schemas.model.TraceId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code adaptive} policy in the sampling topology, over a skewed workload at explicit record
 * times: one hot endpoint at 200 traces/s and 50 rare ones at one trace every 10 s each.
 */
class AdaptiveSamplingTopologyTest {
  private static final String ADAPTIVE =
      """
      policies:
        - name: per-endpoint
          type: adaptive
          adaptive:
            traces_per_second: 10
            adjustment_interval_ms: 5000
      """;
  private static final int SECONDS = 60;
  private static final int HOT_PER_SECOND = 200;
  private static final int RARE_ENDPOINTS = 50;
  private static final int RARE_EVERY_SECONDS = 10;

  @TempDir Path stateDir;

  @Test
  void rareEndpointsAreAllKept_theHotOneIsHeldNearItsTarget_andAdjustedCountsAddUp()
      throws Exception {
    try (SamplingDriver d = new SamplingDriver(stateDir, ADAPTIVE)) {
      // Given a minute of a skewed workload, sent in record-time order
      Set<TraceId> rare = new HashSet<>();
      Set<TraceId> hotAfterWarmUp = new HashSet<>();
      int hotSent = 0;
      for (int second = 0; second < SECONDS; second++) {
        for (int i = 0; i < HOT_PER_SECOND; i++) {
          d.recordTime(SamplingDriver.START.plus(Duration.ofSeconds(second)).plusMillis(i * 5L));
          AssembledTrace hot = trace().root("shop", "GET /search", 3).build();
          if (second >= 5) {
            hotAfterWarmUp.add(hot.traceId());
          }
          d.send(hot);
          hotSent++;
          // the rare endpoints take turns: endpoint e sends at seconds e % 10, e % 10 + 10, …
          if (i % 40 == 0) {
            int endpoint = (second % RARE_EVERY_SECONDS) * 5 + i / 40;
            AssembledTrace r = trace().root("shop", "GET /rare/" + endpoint, 3).build();
            rare.add(r.traceId());
            d.send(r);
          }
        }
      }

      // When the sampled topic is read
      List<SampledTrace> sampled = d.sampled();

      // Then every rare trace was kept, with probability 1
      List<SamplingDecision> keptRare =
          sampled.stream()
              .map(SampledTrace::decision)
              .filter(k -> rare.contains(k.traceId()))
              .toList();
      assertThat(rare).hasSize(SECONDS / RARE_EVERY_SECONDS * RARE_ENDPOINTS);
      assertThat(keptRare).hasSize(rare.size());
      assertThat(keptRare).allSatisfy(k -> assertThat(k.samplingProbability()).isEqualTo(1.0));

      // and the hot endpoint was held near 10/s once its rate was known (after its first 5 s):
      // 55 s × 10 = 550, binomial sd about 23
      long hotKeptAfterWarmUp =
          sampled.stream().filter(s -> hotAfterWarmUp.contains(s.trace().traceId())).count();
      assertThat(hotKeptAfterWarmUp).isBetween(480L, 620L);

      // and the adjusted counts of everything kept add up to what was offered (sd about 4 %)
      double adjusted = sampled.stream().mapToDouble(s -> s.decision().adjustedCount()).sum();
      int offered = hotSent + rare.size();
      assertThat(adjusted).isBetween(offered * 0.88, offered * 1.12);
      assertThat(sampled)
          .allSatisfy(s -> assertThat(s.decision().policies()).containsExactly("per-endpoint"));

      // and the policy's snapshot shows the hot endpoint's rate and probability
      AdaptiveRate hot =
          d.policies().adaptiveRates().stream()
              .filter(r -> r.key().equals(List.of("shop", "GET /search")))
              .findFirst()
              .orElseThrow();
      assertThat(hot.observedTracesPerSecond()).isCloseTo(200, within(5.0));
      assertThat(hot.probability()).isCloseTo(0.05, within(0.002));
      assertThat(d.policies().adaptiveRates()).hasSize(1 + RARE_ENDPOINTS);
    }
  }
}
