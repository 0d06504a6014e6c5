package io.spanline.sampling.policy;

import io.spanline.schemas.model.TraceView;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Spanline's {@code adaptive}: aims at {@code traces_per_second} kept traces per second for each
 * key (by default the root span's service and name), by keeping a key's traces with probability
 * {@code min(1, target / observed rate)}, the observed rate a moving average over intervals of
 * record time ({@link RateEstimator}). Keys slower than the target are all kept; a busy key is held
 * near its target; the probability moves as the rate does. Whether a trace is kept is decided by
 * its trace ID (FNV-1a 64 of {@code hash_salt} ‖ trace ID, as {@code probabilistic} hashes) against
 * the key's current probability, so one trace gets one answer wherever the probabilities agree. The
 * probability is reported with each kept trace, for its adjusted count. At most {@code max_keys}
 * keys are tracked; traces of further keys share one rate ({@link AdaptiveRate#OTHER}).
 */
final class Adaptive implements SamplingPolicy {
  /** One part of the key, as written in the policy file. */
  sealed interface KeyPart permits RootService, RootName, Tenant, AttributeValue {
    String of(TraceView trace);
  }

  /** {@code root.service}: the root span's {@code service.name}. */
  record RootService() implements KeyPart {
    @Override
    public String of(TraceView trace) {
      return trace.rootServiceName();
    }
  }

  /** {@code root.name}: the root span's name. */
  record RootName() implements KeyPart {
    @Override
    public String of(TraceView trace) {
      int root = root(trace);
      return root < 0 ? "" : trace.name(root);
    }
  }

  /** {@code tenant}. */
  record Tenant() implements KeyPart {
    @Override
    public String of(TraceView trace) {
      return trace.tenant();
    }
  }

  /** {@code attribute:<key>}: the first value of a resource or span attribute, as text. */
  record AttributeValue(String key) implements KeyPart {
    @Override
    public String of(TraceView trace) {
      String[] found = {""};
      trace.anyAttribute(
          key,
          v -> {
            found[0] = v.asText();
            return true;
          });
      return found[0];
    }
  }

  private static final double TWO_TO_53 = 0x1p53;

  private final double targetPerSecond;
  private final List<KeyPart> key;
  private final int maxKeys;
  private final long intervalNanos;
  private final double weight;
  private final long saltHash;
  private final Map<List<String>, RateEstimator> rates = new HashMap<>();
  private final RateEstimator other;
  private long latestNanos = Long.MIN_VALUE;

  /**
   * @param targetPerSecond kept traces per second per key, above 0
   * @param key the key's parts, at least one
   * @param maxKeys keys tracked apart, at least 1
   * @param intervalNanos length of the rate's intervals, nanoseconds
   * @param weight weight of the newest interval in the moving average, in (0, 1]
   * @param hashSalt salt of the trace ID hash; "" means {@code probabilistic}'s default
   */
  Adaptive(
      double targetPerSecond,
      List<KeyPart> key,
      int maxKeys,
      long intervalNanos,
      double weight,
      String hashSalt) {
    this.targetPerSecond = targetPerSecond;
    this.key = List.copyOf(key);
    this.maxKeys = maxKeys;
    this.intervalNanos = intervalNanos;
    this.weight = weight;
    byte[] salt =
        (hashSalt.isEmpty() ? Probabilistic.DEFAULT_SALT : hashSalt)
            .getBytes(StandardCharsets.UTF_8);
    this.saltHash = Probabilistic.fnv1a64(Probabilistic.FNV_OFFSET_BASIS, salt);
    this.other = new RateEstimator(intervalNanos, weight);
  }

  @Override
  public synchronized Vote evaluate(TraceView trace, long nowEpochNanos) {
    latestNanos = Math.max(latestNanos, nowEpochNanos);
    RateEstimator rate = estimatorFor(keyOf(trace));
    rate.record(nowEpochNanos);
    double p = probability(rate.ratePerSecond(nowEpochNanos));
    if (p >= 1) {
      return Vote.SAMPLED;
    }
    long hash = Probabilistic.fnv1a64(saltHash, trace.traceId().toBytes());
    return (hash >>> 11) < (long) (p * TWO_TO_53)
        ? new Vote(Decision.SAMPLED, p)
        : Vote.NOT_SAMPLED;
  }

  /**
   * Every tracked key with its current probability and observed rate, as of the latest record time
   * seen, sorted by key (the shared key last, when used); empty before the first trace.
   *
   * @param policy the name the snapshot gives the policy
   */
  synchronized List<AdaptiveRate> snapshot(String policy) {
    List<AdaptiveRate> out = new ArrayList<>(rates.size() + 1);
    rates.forEach((k, r) -> out.add(rateOf(policy, k, r)));
    out.sort((a, b) -> String.join("\u0000", a.key()).compareTo(String.join("\u0000", b.key())));
    if (other.ratePerSecond(latestNanos) > 0) {
      out.add(rateOf(policy, AdaptiveRate.OTHER, other));
    }
    return out;
  }

  private AdaptiveRate rateOf(String policy, List<String> k, RateEstimator r) {
    double observed = r.ratePerSecond(latestNanos);
    return new AdaptiveRate(policy, k, probability(observed), observed);
  }

  /** min(1, target / observed), never below 2^-53 so the adjusted count stays finite. */
  private double probability(double observedPerSecond) {
    if (observedPerSecond <= targetPerSecond) {
      return 1;
    }
    return Math.max(0x1p-53, targetPerSecond / observedPerSecond);
  }

  private RateEstimator estimatorFor(List<String> k) {
    RateEstimator r = rates.get(k);
    if (r == null) {
      if (rates.size() >= maxKeys) {
        return other;
      }
      r = new RateEstimator(intervalNanos, weight);
      rates.put(k, r);
    }
    return r;
  }

  private List<String> keyOf(TraceView trace) {
    List<String> k = new ArrayList<>(key.size());
    for (KeyPart part : key) {
      k.add(part.of(trace));
    }
    return List.copyOf(k);
  }

  /** The root span: the first span without a parent, else the earliest span; -1 when none. */
  static int root(TraceView trace) {
    int earliest = -1;
    for (int s = 0; s < trace.spanCount(); s++) {
      if (!trace.hasParent(s)) {
        return s;
      }
      if (earliest < 0 || trace.startEpochNanos(s) < trace.startEpochNanos(earliest)) {
        earliest = s;
      }
    }
    return earliest;
  }
}
