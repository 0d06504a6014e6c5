package io.spanline.sampling.policy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing of the policy file parser: any text either parses or is refused with a
 * {@link PolicyFileException} naming line and field (start-up stops, a reload keeps the current
 * policies); any other throwable is a finding, as it would stop start-up without naming the line,
 * or end the reloader's timer for good. Seeds: {@code PolicyFileParserFuzzTestInputs/}
 * (docs/fuzzing.md).
 */
class PolicyFileParserFuzzTest {

  @FuzzTest
  void parsesAnyText_orNamesTheProblem(byte[] file) {
    try {
      PolicyFileParser.parse(new String(file, StandardCharsets.UTF_8));
    } catch (PolicyFileException e) {
      // declared: the file is refused with line and field
    }
  }
}
