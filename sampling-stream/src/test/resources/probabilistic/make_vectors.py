#!/usr/bin/env python3
"""Writes vectors.csv: decisions of the OpenTelemetry Collector's tail-sampling `probabilistic`
policy, computed here in Python, independently of Spanline's Java code.

Collector algorithm (processor/tailsamplingprocessor/internal/sampling/probabilistic.go):
  hash      = FNV-1a 64 over hash_salt bytes, then the 16 trace ID bytes
  hash_salt = "default-hash-seed" when empty
  threshold = big.Float(MaxUint64, 64-bit mantissa) * big.NewFloat(percentage / 100),
              rounded to 64 mantissa bits (nearest even), then .Uint64(): truncation toward zero,
              clamped to [0, MaxUint64]
  sampled   = hash <= threshold

Run: python3 make_vectors.py > vectors.csv
"""
import random
from fractions import Fraction

MASK = (1 << 64) - 1


def fnv1a64(data: bytes) -> int:
    h = 14695981039346656037
    for byte in data:
        h ^= byte
        h = (h * 1099511628211) & MASK
    return h


def round_to_mantissa(x: Fraction, bits: int) -> Fraction:
    if x == 0:
        return x
    k = 0
    while x / (Fraction(2) ** k) >= 2 ** bits:
        k += 1
    while x / (Fraction(2) ** k) < 2 ** (bits - 1):
        k -= 1
    scaled = x / (Fraction(2) ** k)
    return Fraction(round(scaled)) * (Fraction(2) ** k)  # round() on Fraction: half to even


def threshold(percentage: float) -> int:
    ratio = percentage / 100  # float64 division, as Go
    product = round_to_mantissa(Fraction(MASK) * Fraction(ratio), 64)
    value = int(product)  # truncates toward zero
    return max(0, min(value, MASK))


def main():
    rng = random.Random(20261122)
    salts = ["default-hash-seed", "", "tenant-a", "spanline"]
    percentages = [0, 0.1, 1, 2.5, 10, 12.5, 33.3, 49.99, 50, 75, 99.9, 100, 150]
    print("salt,percentage,trace_id,hash,threshold,sampled")
    for salt in salts:
        for pct in percentages:
            for _ in range(25):
                trace_id = rng.getrandbits(128).to_bytes(16, "big")
                h = fnv1a64((salt or "default-hash-seed").encode() + trace_id)
                t = threshold(pct)
                print(f"{salt},{pct},{trace_id.hex()},{h:016x},{t},{str(h <= t).lower()}")


if __name__ == "__main__":
    main()
