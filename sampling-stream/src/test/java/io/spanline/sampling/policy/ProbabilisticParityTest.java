package io.spanline.sampling.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.testing.TraceBuilder;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * Parity with the OpenTelemetry Collector's {@code probabilistic} tail-sampling policy, against
 * {@code probabilistic/vectors.csv}: hashes, thresholds and decisions computed by {@code
 * make_vectors.py} beside it, a Python implementation of the Collector's algorithm written apart
 * from this code (exact rational arithmetic for Go's big.Float, Python's own FNV-1a loop).
 */
class ProbabilisticParityTest {
  record Vector(
      String salt,
      double percentage,
      TraceId traceId,
      long hash,
      long threshold,
      boolean sampled) {}

  private static List<Vector> vectors() throws Exception {
    List<Vector> out = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(
                Objects.requireNonNull(
                    ProbabilisticParityTest.class.getResourceAsStream(
                        "/probabilistic/vectors.csv")),
                StandardCharsets.UTF_8))) {
      r.readLine();
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        String[] f = line.split(",", -1);
        out.add(
            new Vector(
                f[0],
                Double.parseDouble(f[1]),
                TraceId.fromHex(f[2]),
                Long.parseUnsignedLong(f[3], 16),
                Long.parseUnsignedLong(f[4]),
                Boolean.parseBoolean(f[5])));
      }
    }
    return out;
  }

  @Test
  void hashesThresholdsAndDecisionsEqualTheCollectorsForEveryVector() throws Exception {
    List<Vector> vectors = vectors();
    assertThat(vectors).hasSizeGreaterThan(1000);
    assertThat(vectors).anyMatch(Vector::sampled).anyMatch(v -> !v.sampled());
    for (Vector v : vectors) {
      Probabilistic p = new Probabilistic(v.salt(), v.percentage());
      String what = v.salt() + " " + v.percentage() + " " + v.traceId();
      assertThat(Long.toHexString(p.hash(v.traceId())))
          .as(what)
          .isEqualTo(Long.toHexString(v.hash()));
      assertThat(Long.toUnsignedString(p.threshold()))
          .as(what)
          .isEqualTo(Long.toUnsignedString(v.threshold()));
      boolean kept =
          p.evaluate(
                      TraceBuilder.avroView(
                          TraceBuilder.trace().traceId(v.traceId()).root("a", "x", 1).build()),
                      0)
                  .decision()
              == Decision.SAMPLED;
      assertThat(kept).as(what).isEqualTo(v.sampled());
    }
  }

  @Test
  void fnv1a64MatchesThePublishedTestVectors() {
    // from the FNV reference test suite (Fowler/Noll/Vo): "" and "a" and "foobar"
    long basis = 0xcbf29ce484222325L;
    assertThat(Probabilistic.fnv1a64(basis, new byte[0])).isEqualTo(0xcbf29ce484222325L);
    assertThat(Probabilistic.fnv1a64(basis, "a".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(0xaf63dc4c8601ec8cL);
    assertThat(Probabilistic.fnv1a64(basis, "foobar".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(0x85944171f73967e8L);
  }

  @Test
  void adjustedCountIsTheInverseOfThePercentage() throws Exception {
    SamplingPolicies p =
        PolicyFileParser.parse(
            "policies: [{name: base, type: probabilistic, probabilistic: {sampling_percentage: 100}}]");
    Verdict v = p.decide(TraceBuilder.trace().root("a", "x", 1).build(), 0);
    assertThat(v.probability()).isEqualTo(1.0);
    SamplingPolicies quarter =
        PolicyFileParser.parse(
            "policies: [{name: base, type: probabilistic, probabilistic: {sampling_percentage: 25}}]");
    int kept = 0;
    for (int i = 0; i < 4000; i++) {
      Verdict q = quarter.decide(TraceBuilder.trace().root("a", "x", 1).build(), 0);
      if (q.kept()) {
        kept++;
        assertThat(q.probability()).isEqualTo(0.25);
      }
    }
    assertThat(kept).isBetween(800, 1200);
  }
}
