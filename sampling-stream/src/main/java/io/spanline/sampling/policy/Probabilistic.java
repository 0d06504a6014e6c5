package io.spanline.sampling.policy;

import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.model.TraceView;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * {@code probabilistic}: keeps a trace when the FNV-1a 64 hash of {@code hash_salt} (UTF-8)
 * followed by the 16 trace ID bytes is at most a threshold derived from {@code
 * sampling_percentage}, exactly as the OpenTelemetry Collector's {@code
 * internal/sampling/probabilistic.go} does, so the same trace gets the same decision in the
 * Collector and in Spanline. An empty salt means the default {@value #DEFAULT_SALT}. The threshold
 * reproduces Go's {@code big.Float} arithmetic bit for bit: {@code MaxUint64 × (percentage / 100)}
 * rounded to a 64-bit mantissa (nearest, ties to even), then {@code big.Float.Uint64()}: truncated
 * toward zero and clamped to [0, MaxUint64].
 */
final class Probabilistic implements SamplingPolicy {
  /** The Collector's default {@code hash_salt}. */
  static final String DEFAULT_SALT = "default-hash-seed";

  static final long FNV_OFFSET_BASIS = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  private final long saltHash;
  private final long threshold;
  private final Vote sampled;

  /**
   * @param samplingPercentage in [0, 100]
   */
  Probabilistic(String hashSalt, double samplingPercentage) {
    byte[] salt = (hashSalt.isEmpty() ? DEFAULT_SALT : hashSalt).getBytes(StandardCharsets.UTF_8);
    this.saltHash = fnv1a64(FNV_OFFSET_BASIS, salt);
    double ratio = samplingPercentage / 100;
    this.threshold = threshold(ratio);
    this.sampled = new Vote(Decision.SAMPLED, Math.min(1.0, Math.max(ratio, Double.MIN_VALUE)));
  }

  @Override
  public Vote evaluate(TraceView trace, long nowEpochNanos) {
    return Long.compareUnsigned(hash(trace.traceId()), threshold) <= 0 ? sampled : Vote.NOT_SAMPLED;
  }

  /** FNV-1a 64 of salt ‖ trace ID bytes, as an unsigned 64-bit value. */
  long hash(TraceId traceId) {
    return fnv1a64(saltHash, traceId.toBytes());
  }

  long threshold() {
    return threshold;
  }

  static long fnv1a64(long state, byte[] bytes) {
    long h = state;
    for (byte b : bytes) {
      h ^= b & 0xff;
      h *= FNV_PRIME;
    }
    return h;
  }

  /**
   * Go's {@code calculateThreshold}: {@code new(big.Float).SetInt(MaxUint64)} (64-bit precision)
   * {@code .Mul(big.NewFloat(ratio)).Uint64()}, as an unsigned 64-bit value.
   */
  static long threshold(double ratio) {
    if (!(ratio > 0)) {
      return 0;
    }
    BigInteger maxUint64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    long bits = Double.doubleToRawLongBits(ratio);
    int exponent = (int) ((bits >>> 52) & 0x7ff);
    long mantissa = bits & ((1L << 52) - 1);
    if (exponent == 0) {
      exponent = 1;
    } else {
      mantissa |= 1L << 52;
    }
    int binaryExponent = exponent - 1075; // ratio = mantissa × 2^binaryExponent
    BigInteger product = maxUint64.multiply(BigInteger.valueOf(mantissa));
    int shift = Math.max(0, product.bitLength() - 64);
    BigInteger q = product.shiftRight(shift);
    if (shift > 0) {
      BigInteger rem = product.subtract(q.shiftLeft(shift));
      BigInteger half = BigInteger.ONE.shiftLeft(shift - 1);
      int c = rem.compareTo(half);
      if (c > 0 || (c == 0 && q.testBit(0))) {
        q = q.add(BigInteger.ONE);
      }
    }
    int scale = shift + binaryExponent;
    BigInteger integer = scale >= 0 ? q.shiftLeft(scale) : q.shiftRight(-scale);
    return integer.compareTo(maxUint64) > 0 ? -1L : integer.longValue();
  }
}
