package io.spanline.sampling.policy;

import io.spanline.schemas.model.AnyValue;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.DecisionOutcome;
import io.spanline.schemas.model.TraceView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A whole policy file: the default policy set, policy sets per tenant, never-sample rules and the
 * debug attribute. Thread-safe; immutable apart from the rate-limit state inside policies.
 *
 * <p>Evaluation order, and what wins:
 *
 * <ol>
 *   <li><b>Debug attribute</b> (default {@code spanline.debug}): a trace with a span or resource
 *       attribute of that key set to {@code true} (boolean, the string {@code "true"} or {@code
 *       "1"} — what a baggage entry copied into span attributes holds —, or the integer 1) is kept,
 *       whatever else applies; the decision names the policy {@value #DEBUG_POLICY}.
 *   <li><b>Never-sample rules</b> ({@code never_sample}, e.g. health checks): a trace matched by
 *       any rule is dropped.
 *   <li><b>The tenant's policy set</b> ({@code tenants.<tenant>.policies}, else the default {@code
 *       policies}), as the Collector decides: {@code drop} policies are evaluated first, and one
 *       that matches drops the trace; then every other policy is evaluated (all of them, so rate
 *       limits count as in the Collector; with {@code sample_on_first_match}, until the first that
 *       keeps), and the trace is kept when any keeps it. Drop, then any keep.
 * </ol>
 *
 * A policy that throws is skipped and counted in {@link Verdict#policyErrors()}.
 */
public final class SamplingPolicies {
  /** The debug attribute when the file names none. */
  public static final String DEFAULT_DEBUG_ATTRIBUTE = "spanline.debug";

  /** The policy name a decision forced by the debug attribute carries; no policy may take it. */
  public static final String DEBUG_POLICY = "debug";

  /** A policy with its name from the file. */
  record Named(String name, SamplingPolicy policy) {}

  /** One tenant's (or the default) policies, {@code drop} policies apart. */
  record PolicySet(List<Named> drops, List<Named> others, boolean sampleOnFirstMatch) {
    PolicySet {
      drops = List.copyOf(drops);
      others = List.copyOf(others);
    }
  }

  private final PolicySet defaults;
  private final Map<String, PolicySet> tenants;
  private final List<Named> neverSample;
  private final String debugAttribute;

  SamplingPolicies(
      PolicySet defaults,
      Map<String, PolicySet> tenants,
      List<Named> neverSample,
      String debugAttribute) {
    this.defaults = defaults;
    this.tenants = Map.copyOf(tenants);
    this.neverSample = List.copyOf(neverSample);
    this.debugAttribute = debugAttribute;
  }

  /** Keeps every trace: what runs when no policy file is configured. */
  public static SamplingPolicies keepAll() {
    return new SamplingPolicies(
        new PolicySet(List.of(), List.of(new Named("always_sample", new AlwaysSample())), false),
        Map.of(),
        List.of(),
        DEFAULT_DEBUG_ATTRIBUTE);
  }

  /** Tenants with a policy set of their own. */
  java.util.Set<String> tenantsWithOwnPolicies() {
    return tenants.keySet();
  }

  /**
   * The current probability and observed rate of every key of every {@code adaptive} policy of the
   * default set and of the tenants' own sets (not of {@code adaptive} policies nested inside {@code
   * and}, {@code not} or {@code composite}): a read-only snapshot, for reports. A tenant's policy
   * is named {@code <tenant>/<name>}. Empty when no policy is {@code adaptive} or none has seen a
   * trace.
   */
  public List<AdaptiveRate> adaptiveRates() {
    List<AdaptiveRate> out = new ArrayList<>();
    addAdaptiveRates(defaults, "", out);
    new java.util.TreeMap<>(tenants).forEach((t, set) -> addAdaptiveRates(set, t + "/", out));
    return out;
  }

  private static void addAdaptiveRates(PolicySet set, String prefix, List<AdaptiveRate> out) {
    for (Named p : set.others()) {
      if (p.policy() instanceof Adaptive a) {
        out.addAll(a.snapshot(prefix + p.name()));
      }
    }
  }

  /**
   * Decides on one trace (or on a late fragment without a stored decision).
   *
   * @param nowEpochNanos the time rate limits count in (the record's timestamp)
   */
  public Verdict decide(AssembledTrace trace, long nowEpochNanos) {
    return decide(TraceView.of(trace), nowEpochNanos);
  }

  /**
   * Decides on one trace (or on a late fragment without a stored decision), read through a view.
   *
   * @param nowEpochNanos the time rate limits count in (the record's timestamp)
   */
  public Verdict decide(TraceView trace, long nowEpochNanos) {
    if (trace.anyAttribute(debugAttribute, SamplingPolicies::truthy)) {
      return new Verdict(DecisionOutcome.KEEP, Verdict.Rule.DEBUG, List.of(DEBUG_POLICY), 1, 0);
    }
    Evaluation run = new Evaluation(trace, nowEpochNanos);
    for (Named rule : neverSample) {
      if (run.vote(rule) == Decision.SAMPLED) {
        return run.dropped(Verdict.Rule.NEVER_SAMPLE, rule);
      }
    }
    PolicySet set = tenants.getOrDefault(trace.tenant(), defaults);
    for (Named p : set.drops()) {
      if (run.vote(p) == Decision.DROPPED) {
        return run.dropped(Verdict.Rule.DROP_POLICY, p);
      }
    }
    for (Named p : set.others()) {
      Decision d = run.vote(p);
      if (d == Decision.DROPPED) {
        return run.dropped(Verdict.Rule.DROP_POLICY, p);
      }
      if (d == Decision.SAMPLED) {
        run.kept(p);
        if (set.sampleOnFirstMatch()) {
          break;
        }
      }
    }
    return run.verdict();
  }

  /** One trace's evaluation: policies that threw (skipped and counted), and those that kept it. */
  private static final class Evaluation {
    private final TraceView trace;
    private final long nowEpochNanos;
    private final List<String> keepers = new ArrayList<>(2);
    private double probability;
    private double lastProbability;
    private int errors;

    Evaluation(TraceView trace, long nowEpochNanos) {
      this.trace = trace;
      this.nowEpochNanos = nowEpochNanos;
    }

    /** The policy's decision, or null when it threw. */
    Decision vote(Named p) {
      try {
        Vote v = p.policy().evaluate(trace, nowEpochNanos);
        lastProbability = v.probability();
        return v.decision();
      } catch (RuntimeException e) {
        errors++;
        return null;
      }
    }

    /** Records that {@code p}, just voted, keeps the trace. */
    void kept(Named p) {
      keepers.add(p.name());
      probability = Math.max(probability, lastProbability);
    }

    Verdict dropped(Verdict.Rule rule, Named by) {
      return new Verdict(DecisionOutcome.DROP, rule, List.of(by.name()), 1, errors);
    }

    Verdict verdict() {
      return keepers.isEmpty()
          ? new Verdict(DecisionOutcome.DROP, Verdict.Rule.NOT_SAMPLED, List.of(), 1, errors)
          : new Verdict(
              DecisionOutcome.KEEP, Verdict.Rule.KEPT_BY_POLICY, keepers, probability, errors);
    }
  }

  private static boolean truthy(AnyValue v) {
    return (v instanceof AnyValue.BoolValue b && b.value())
        || (v instanceof AnyValue.StringValue s
            && (s.value().equalsIgnoreCase("true") || s.value().equals("1")))
        || (v instanceof AnyValue.LongValue l && l.value() == 1);
  }
}
