package io.spanline.sampling.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The adaptive policy's moving-average rate, in traces per second of record time. */
class RateEstimatorTest {
  private static final long SECOND = 1_000_000_000L;
  private static final long T0 = 1_763_800_000L * SECOND;
  private static final long TEN_SECONDS = 10 * SECOND;

  /** Records {@code perSecond} traces a second, evenly spread, over {@code [from, from + secs)}. */
  private static void feed(RateEstimator r, long from, int seconds, int perSecond) {
    for (long i = 0; i < (long) seconds * perSecond; i++) {
      r.record(from + i * SECOND / perSecond);
    }
  }

  @Test
  void beforeAnyTrace_theRateIsZero() {
    assertThat(new RateEstimator(TEN_SECONDS, 0.5).ratePerSecond(T0)).isZero();
  }

  @Test
  void aNewKeyIsEstimatedFromItsFirstSecond_beforeItsFirstIntervalEnds() {
    // Given a key seen 100 times within its first second
    RateEstimator r = new RateEstimator(TEN_SECONDS, 0.5);
    feed(r, T0, 1, 100);

    // Then one second in, the estimate is 100/s, not the 10/s a whole interval would give
    assertThat(r.ratePerSecond(T0 + SECOND)).isCloseTo(100, within(1.0));
    // and half a second in, it counts at least one second: 50 traces → 50/s
    RateEstimator half = new RateEstimator(TEN_SECONDS, 0.5);
    feed(half, T0, 1, 100);
    assertThat(half.ratePerSecond(T0 + SECOND / 2)).isCloseTo(100, within(1.0));
  }

  @Test
  void aSteadyRateIsEstimatedAsThatRate() {
    // Given 40 traces a second for 5 intervals
    RateEstimator r = new RateEstimator(TEN_SECONDS, 0.5);
    feed(r, T0, 50, 40);

    // Then the moving average is 40/s
    assertThat(r.ratePerSecond(T0 + 50 * SECOND)).isCloseTo(40, within(0.5));
  }

  @Test
  void aRateChangeIsFollowedByTheMovingAverage_withTheNewestIntervalWeighted() {
    // Given 40/s for two intervals, then 0 traces for one, then 10/s
    RateEstimator r = new RateEstimator(TEN_SECONDS, 0.5);
    feed(r, T0, 20, 40);
    assertThat(r.ratePerSecond(T0 + 20 * SECOND)).isCloseTo(40, within(0.5));

    // When one interval passes empty, the average halves (weight 0.5, the empty interval is 0/s)
    assertThat(r.ratePerSecond(T0 + 30 * SECOND)).isCloseTo(20, within(0.5));

    // When 10/s follow for an interval: 0.5 × 10 + 0.5 × 20 = 15
    feed(r, T0 + 30 * SECOND, 10, 10);
    assertThat(r.ratePerSecond(T0 + 40 * SECOND)).isCloseTo(15, within(0.5));
  }

  @Test
  void aKeyFirstSeenMidInterval_isMeasuredOverThePartItWasSeenIn() {
    // Given a key first seen 5 s into an interval, at 20/s
    RateEstimator r = new RateEstimator(TEN_SECONDS, 0.5);
    feed(r, T0 + 5 * SECOND, 5, 20);

    // Then once the interval ends its rate is 20/s, not 10/s
    assertThat(r.ratePerSecond(T0 + 10 * SECOND)).isCloseTo(20, within(0.5));
  }

  @Test
  void timeRunningBackwardsCountsInTheCurrentInterval() {
    RateEstimator r = new RateEstimator(TEN_SECONDS, 1.0);
    feed(r, T0, 10, 10);
    r.record(T0 + 10 * SECOND);
    // a record from an earlier interval arrives late: counted now, not lost
    for (int i = 0; i < 9; i++) {
      r.record(T0 + SECOND);
    }
    assertThat(r.ratePerSecond(T0 + 20 * SECOND)).isCloseTo(1, within(0.01));
  }
}
