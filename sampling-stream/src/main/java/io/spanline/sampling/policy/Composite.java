package io.spanline.sampling.policy;

import io.spanline.schemas.model.TraceView;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code composite}: sub-policies in {@code policy_order}, each with a share of {@code
 * max_total_spans_per_second} from {@code rate_allocation}, as the Collector's {@code
 * composite.go}. The first sub-policy that samples the trace decides: the trace is kept when that
 * sub-policy's spans this second, plus the trace's, stay within its allocation and within the
 * total; otherwise it is not kept (later sub-policies are not asked). Counters restart each second
 * of evaluation time.
 *
 * <p>Allocation: {@code percent > 0} gives {@code percent / 100 × max_total}; a listed policy with
 * {@code percent <= 0} gives {@code max_total / sub-policy count}. Sub-policies not listed share
 * what the listed percentages leave, equally — what the Collector's README describes (its code
 * gives them nothing, so they never keep a trace).
 */
final class Composite implements SamplingPolicy {
  record SubPolicy(String name, SamplingPolicy policy, long allocatedSpansPerSecond) {}

  private final long maxTotalSpansPerSecond;
  private final List<SamplingPolicy> policies = new ArrayList<>();
  private final List<SpanBudget> budgets = new ArrayList<>();
  private final List<KeptShare> shares = new ArrayList<>();
  private long second = Long.MIN_VALUE;

  /**
   * @param subPolicies in evaluation order, with their allocations already computed
   */
  Composite(long maxTotalSpansPerSecond, List<SubPolicy> subPolicies) {
    this.maxTotalSpansPerSecond = maxTotalSpansPerSecond;
    for (SubPolicy s : subPolicies) {
      policies.add(s.policy());
      budgets.add(new SpanBudget(s.allocatedSpansPerSecond()));
      shares.add(new KeptShare());
    }
  }

  @Override
  public synchronized Vote evaluate(TraceView trace, long nowEpochNanos) {
    long s = Math.floorDiv(nowEpochNanos, 1_000_000_000L);
    if (s != second) {
      second = s;
      budgets.forEach(SpanBudget::reset);
    }
    int spans = trace.spanCount();
    for (int i = 0; i < policies.size(); i++) {
      Vote v = policies.get(i).evaluate(trace, nowEpochNanos);
      if (v.decision() == Decision.SAMPLED) {
        boolean kept = budgets.get(i).tryTake(spans, maxTotalSpansPerSecond);
        KeptShare share = shares.get(i);
        share.record(nowEpochNanos, spans, kept);
        if (!kept) {
          return Vote.NOT_SAMPLED;
        }
        double p = v.probability() * share.sampled().probability();
        return p == 1.0 ? Vote.SAMPLED : new Vote(Decision.SAMPLED, p);
      }
    }
    return Vote.NOT_SAMPLED;
  }

  /**
   * Spans per second for each sub-policy, from the {@code rate_allocation} percentages.
   *
   * @param percents per sub-policy in order: the percentage given, or null when not listed
   */
  static List<Long> allocate(long maxTotal, List<Double> percents) {
    double listed = 0;
    int unlisted = 0;
    for (Double p : percents) {
      if (p == null) {
        unlisted++;
      } else if (p > 0) {
        listed += p;
      }
    }
    double remainderEach = unlisted == 0 ? 0 : Math.max(0, 100 - listed) / unlisted;
    List<Long> out = new ArrayList<>();
    for (Double p : percents) {
      if (p == null) {
        out.add((long) (remainderEach / 100 * maxTotal));
      } else if (p > 0) {
        out.add((long) (p / 100 * maxTotal));
      } else {
        out.add(maxTotal / percents.size());
      }
    }
    return out;
  }
}
