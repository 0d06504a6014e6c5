package io.spanline.schemas.codec.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.spanline.schemas.codec.MalformedOtlpException;
import io.spanline.schemas.model.TraceId;
import java.util.HashSet;
import java.util.Set;

/**
 * Coverage-guided fuzzing of the gateway's error scan while it sheds ({@link
 * OtlpWireSplitter#tracesWithErrors}): any bytes either give a set of trace IDs or are refused with
 * {@link MalformedOtlpException}; where protobuf reads the bytes as {@code TracesData}, the set is
 * exactly the trace IDs (16 bytes, not all zero) of the spans whose status code is ERROR. A class
 * of its own because Jazzer fuzzes one {@code @FuzzTest} per JVM. Seeds: {@code
 * OtlpWireErrorScanFuzzTestInputs/} (docs/fuzzing.md).
 */
class OtlpWireErrorScanFuzzTest {
  @FuzzTest
  void findsTheErrorTracesOfAnyRequest_asProtobufReadsThem(byte[] request) {
    TracesData parsed = OtlpWireSplitterFuzzTest.parseOrNull(request);
    Set<TraceId> found;
    try {
      found = OtlpWireSplitter.tracesWithErrors(request);
    } catch (MalformedOtlpException e) {
      assertThat(parsed).as("protobuf reads what the error scan refused: %s", e).isNull();
      return;
    }
    if (parsed == null) {
      return; // the scan is more lenient than protobuf (e.g. unchecked UTF-8): not a finding
    }
    Set<TraceId> expected = new HashSet<>();
    for (ResourceSpans rs : parsed.getResourceSpansList()) {
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        for (io.opentelemetry.proto.trace.v1.Span s : ss.getSpansList()) {
          byte[] id = s.getTraceId().toByteArray();
          if (s.getStatus().getCodeValue() == 2 && id.length == 16 && !allZero(id)) {
            expected.add(TraceId.fromBytes(id));
          }
        }
      }
    }
    assertThat(found).isEqualTo(expected);
  }

  private static boolean allZero(byte[] bytes) {
    for (byte b : bytes) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }
}
