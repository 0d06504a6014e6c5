package io.spanline.schemas.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdsTest {

  @Test
  void traceId_roundTripsThroughHexAndBytes() {
    TraceId id = TraceId.fromHex("0AF7651916CD43DD8448EB211C80319C");

    assertThat(id.toHex()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
    assertThat(TraceId.fromBytes(id.toBytes())).isEqualTo(id);
    assertThat(id.toBytes()).hasSize(16).startsWith((byte) 0x0a, (byte) 0xf7);
  }

  @Test
  void spanId_roundTripsThroughHexAndBytes() {
    SpanId id = SpanId.fromHex("b7ad6b7169203331");

    assertThat(id.toHex()).isEqualTo("b7ad6b7169203331");
    assertThat(SpanId.fromBytes(id.toBytes())).isEqualTo(id);
    assertThat(new SpanId(-1).toHex()).isEqualTo("ffffffffffffffff");
  }

  @Test
  void traceIdsOrderAsTheirHex() {
    TraceId small = TraceId.fromHex("7fffffffffffffff0000000000000000");
    TraceId large = TraceId.fromHex("80000000000000000000000000000000");

    assertThat(small.compareTo(large)).isNegative();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "abc", "0af7651916cd43dd8448eb211c80319", "0af7651916cd43dd8448eb211c80319c0"})
  void traceId_rejectsWrongLength(String hex) {
    assertThatThrownBy(() -> TraceId.fromHex(hex))
        .isInstanceOf(InvalidIdException.class)
        .hasMessageContaining("must be 32 hex chars");
  }

  @Test
  void traceId_rejectsNonHexIncludingNonAsciiDigits() {
    assertThatThrownBy(() -> TraceId.fromHex("0af7651916cd43dd8448eb211c80319g"))
        .isInstanceOf(InvalidIdException.class)
        .hasMessageContaining("non-hex character 'g' at index 31");
    assertThatThrownBy(() -> TraceId.fromHex("0af7651916cd43dd8448eb211c80319\u0663"))
        .isInstanceOf(InvalidIdException.class);
  }

  @Test
  void idsRejectAllZero() {
    assertThatThrownBy(() -> TraceId.fromHex("00000000000000000000000000000000"))
        .isInstanceOf(InvalidIdException.class)
        .hasMessageContaining("all zero");
    assertThatThrownBy(() -> SpanId.fromBytes(new byte[8]))
        .isInstanceOf(InvalidIdException.class)
        .hasMessageContaining("all zero");
  }

  @Test
  void idsRejectWrongByteLengths() {
    assertThatThrownBy(() -> TraceId.fromBytes(new byte[8]))
        .isInstanceOf(InvalidIdException.class)
        .hasMessageContaining("8 bytes; it must be 16 bytes");
    assertThatThrownBy(() -> SpanId.fromBytes(null))
        .isInstanceOf(InvalidIdException.class)
        .hasMessageContaining("0 bytes; it must be 8 bytes");
  }
}
