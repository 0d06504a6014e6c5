package io.spanline.schemas.codec.avro;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.spanline.schemas.codec.MalformedAvroException;
import io.spanline.schemas.model.AnyValue;
import io.spanline.schemas.model.InvalidIdException;
import java.util.List;
import java.util.function.Predicate;

/**
 * Coverage-guided fuzzing of the Avro trace view the sampling stream reads every assembled trace
 * with: any bytes either give a view whose every accessor answers, or are refused with {@link
 * MalformedAvroException} or {@link InvalidIdException} (the record is dead-lettered); any other
 * throwable (an array index, a stack overflow, an allocation beyond the heap) is a finding. A view
 * over the same bytes inside a larger array must read the same, so a view never reads outside its
 * slice. Seeds: {@code AvroTraceViewFuzzTestInputs/} (docs/fuzzing.md).
 */
class AvroTraceViewFuzzTest {
  private static final List<String> KEYS =
      List.of("service.name", "error", "http.status_code", "span.kind", "db.statement", "");

  @FuzzTest
  void viewsAnyRecord_orRefusesItAsMalformed(byte[] avro) {
    String alone = describe(avro, 0, avro.length);
    byte[] framed = new byte[avro.length + 8];
    framed[0] = 0x02;
    framed[framed.length - 1] = 0x02;
    System.arraycopy(avro, 0, framed, 5, avro.length);
    assertThat(describe(framed, 5, avro.length)).isEqualTo(alone);
  }

  /** Everything the view says, or which declared error refused the bytes. */
  private static String describe(byte[] buf, int offset, int length) {
    AvroTraceView view;
    try {
      view = AvroTraceView.of(buf, offset, length);
    } catch (MalformedAvroException | InvalidIdException e) {
      return e.getClass().getSimpleName();
    }
    StringBuilder out = new StringBuilder();
    out.append(view.tenant())
        .append(view.traceId())
        .append(view.fragment())
        .append(view.rootServiceName())
        .append(view.startEpochNanos())
        .append(view.endEpochNanos());
    for (int i = 0; i < view.spanCount(); i++) {
      out.append('|')
          .append(view.spanId(i))
          .append(view.hasParent(i) ? view.parentSpanId(i) : "-")
          .append(view.name(i))
          .append(view.kind(i))
          .append(view.startEpochNanos(i))
          .append(view.endEpochNanos(i))
          .append(view.statusCode(i))
          .append(view.flags(i))
          .append(view.traceState(i))
          .append(view.serviceName(i));
    }
    for (String key : KEYS) {
      Predicate<AnyValue> read =
          v -> {
            out.append(key).append('=').append(v.asText());
            return false;
          };
      view.anyAttribute(key, read);
    }
    return out.toString();
  }
}
