package io.spanline.assembly.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.schemas.model.TraceId;
import org.junit.jupiter.api.Test;

class StoreKeysTest {
  private final TraceId trace = new TraceId(0x0102030405060708L, 0x090a0b0c0d0e0f10L);

  @Test
  void traceKey_roundTripsTenantAndTraceId() {
    byte[] key = StoreKeys.trace("acme-é", trace);

    assertThat(StoreKeys.tenantOf(key)).isEqualTo("acme-é");
    assertThat(StoreKeys.traceIdOf(key)).isEqualTo(trace);
  }

  @Test
  void chunksOfATrace_sortInArrivalOrder_withinTheirRange() {
    byte[] key = StoreKeys.trace("t", trace);
    byte[] next = StoreKeys.trace("t", new TraceId(trace.high(), trace.low() + 1));

    assertThat(StoreKeys.chunk(key, 9, 5, 1, 0).compareTo(StoreKeys.chunk(key, 10, 1, 1, 0)))
        .isNegative();
    assertThat(StoreKeys.chunk(key, 255, 0, 1, 0).compareTo(StoreKeys.chunk(key, 256, 0, 1, 0)))
        .isNegative();
    assertThat(StoreKeys.chunksFrom(key).compareTo(StoreKeys.chunk(key, 0, 0, 0, 0))).isNegative();
    assertThat(
            StoreKeys.chunk(key, Integer.MAX_VALUE, Long.MAX_VALUE, 9, 9)
                .compareTo(StoreKeys.chunksTo(key)))
        .isNegative();
    assertThat(StoreKeys.chunksTo(key).compareTo(StoreKeys.chunk(next, 0, 0, 0, 0))).isNegative();
  }

  @Test
  void chunkKey_tellsItsTraceNumberArrivalSpansAndFragment() {
    byte[] key = StoreKeys.trace("acme", trace);

    StoreKeys.Chunk chunk = StoreKeys.chunkOf(StoreKeys.chunk(key, 7, 1_763_000_000_123L, 42, 3));

    assertThat(chunk.traceKey()).isEqualTo(key);
    assertThat(chunk.number()).isEqualTo(7);
    assertThat(chunk.arrivalMillis()).isEqualTo(1_763_000_000_123L);
    assertThat(chunk.spans()).isEqualTo(42);
    assertThat(chunk.fragment()).isEqualTo(3);
  }

  @Test
  void closedTrace_remembersEmittedSpanIds() {
    ClosedTrace closed = ClosedTrace.none().next(10, 1, new long[] {5, -3});
    ClosedTrace again = ClosedTrace.decode(closed.encode()).next(20, 2, new long[] {7});

    assertThat(ClosedTrace.expiresOf(again.encode())).isEqualTo(20);
    assertThat(again.emitted(-3)).isTrue();
    assertThat(again.emitted(7)).isTrue();
    assertThat(again.emitted(6)).isFalse();
    assertThat(again.nextFragment()).isEqualTo(2);
    assertThat(again.expiresMillis()).isEqualTo(20);
  }
}
