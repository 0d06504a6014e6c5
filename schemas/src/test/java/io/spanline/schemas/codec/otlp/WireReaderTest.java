package io.spanline.schemas.codec.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

class WireReaderTest {

  @Test
  void readsWhatProtobufWrote() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeUInt64(1, Long.MAX_VALUE);
    out.writeFixed64(2, -5L);
    out.writeString(3, "hello");
    out.writeFixed32(4, 7);
    out.writeInt64(5, -1L);
    out.flush();
    byte[] buf = bytes.toByteArray();

    WireReader in = new WireReader(buf, 0, buf.length);
    assertThat(in.readTag()).isEqualTo((1 << 3) | WireReader.VARINT);
    assertThat(in.readVarint()).isEqualTo(Long.MAX_VALUE);
    assertThat(in.readTag()).isEqualTo((2 << 3) | WireReader.FIXED64);
    assertThat(in.readFixed64()).isEqualTo(-5L);
    assertThat(in.readTag()).isEqualTo((3 << 3) | WireReader.LEN);
    assertThat(in.readLength()).isEqualTo(5);
    in.skip(5);
    in.skipField(in.readTag());
    int tag = in.readTag();
    in.skipField(tag);
    assertThat(in.hasMore()).isFalse();
  }

  @Test
  void refusesTruncatedAndInvalidInput() {
    byte[] lengthPastEnd = {(3 << 3) | 2, 10, 'a'};
    assertThatThrownBy(
            () -> {
              WireReader in = new WireReader(lengthPastEnd, 0, lengthPastEnd.length);
              in.readTag();
              in.readLength();
            })
        .isInstanceOf(InvalidProtocolBufferException.class)
        .hasMessageContaining("ended unexpectedly");
    byte[] zeroTag = {0};
    assertThatThrownBy(() -> new WireReader(zeroTag, 0, 1).readTag())
        .isInstanceOf(InvalidProtocolBufferException.class)
        .hasMessageContaining("invalid tag");
    byte[] unclosedGroup = {(1 << 3) | 3};
    assertThatThrownBy(() -> skipAll(unclosedGroup)).hasMessageContaining("ended unexpectedly");
    byte[] mismatchedGroupEnd = {(1 << 3) | 3, (2 << 3) | 4};
    assertThatThrownBy(() -> skipAll(mismatchedGroupEnd)).hasMessageContaining("end-group tag");
    byte[] strayGroupEnd = {(1 << 3) | 4};
    assertThatThrownBy(() -> skipAll(strayGroupEnd)).hasMessageContaining("end-group tag");
    byte[] wireType7 = {(1 << 3) | 7};
    assertThatThrownBy(() -> skipAll(wireType7)).hasMessageContaining("invalid wire type 7");
  }

  /** Found by OtlpWireSplitterFuzzTest: protobuf skips unknown group fields, so must the scan. */
  @Test
  void skipsGroups_asProtobufDoes() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeTag(4, 3); // group 4 {
    out.writeUInt64(1, 300);
    out.writeTag(5, 3); //   group 5 {
    out.writeString(2, "nested");
    out.writeTag(5, 4); //   }
    out.writeTag(4, 4); // }
    out.writeUInt64(6, 1);
    out.flush();
    byte[] buf = bytes.toByteArray();

    WireReader in = new WireReader(buf, 0, buf.length);
    in.skipField(in.readTag());
    assertThat(in.readTag()).isEqualTo((6 << 3) | WireReader.VARINT);
    assertThat(in.readVarint()).isEqualTo(1);
    assertThat(in.hasMore()).isFalse();
  }

  /** Found by OtlpWireSplitterFuzzTest: protobuf-java ends a varint at its tenth byte. */
  @Test
  void aTenByteVarint_endsAtItsTenthByte_asProtobufReadsIt() throws Exception {
    byte[] buf = {(byte) 0xd6, -1, -1, -1, -1, -1, -1, -1, -1, (byte) 0x93, 0x08};

    WireReader in = new WireReader(buf, 0, buf.length);
    long value = in.readVarint();

    assertThat(value).isEqualTo(CodedInputStream.newInstance(buf).readRawVarint64()).isEqualTo(-42);
    assertThat(in.position()).isEqualTo(10);
  }

  @Test
  void aLengthPast32Bits_keepsItsLow32Bits_asProtobufReadsIt() throws Exception {
    // field 5, length-delimited, length 0x24 << 56: protobuf reads a length as a 32-bit varint
    byte[] zeroLow = {0x2a, -128, -128, -128, -128, -128, -128, -128, -128, 0x24};
    byte[] negativeLow = {0x2a, -1, -1, -1, -1, 0x0f};

    WireReader in = new WireReader(zeroLow, 0, zeroLow.length);
    in.skipField(in.readTag());

    assertThat(in.hasMore()).isFalse();
    CodedInputStream protobuf = CodedInputStream.newInstance(zeroLow);
    assertThat(protobuf.skipField(protobuf.readTag())).isTrue();
    assertThat(protobuf.isAtEnd()).isTrue();
    assertThatThrownBy(() -> skipAll(negativeLow))
        .isInstanceOf(InvalidProtocolBufferException.class)
        .hasMessageContaining("negative size");
    assertThatThrownBy(
            () -> {
              CodedInputStream p = CodedInputStream.newInstance(negativeLow);
              p.skipField(p.readTag());
            })
        .isInstanceOf(InvalidProtocolBufferException.class);
  }

  @Test
  void refusesGroupsNestedDeeperThanProtobufAllows() {
    byte[] deep = new byte[2 * 101];
    for (int i = 0; i < 101; i++) {
      deep[i] = (1 << 3) | 3;
      deep[deep.length - 1 - i] = (1 << 3) | 4;
    }
    assertThatThrownBy(() -> skipAll(deep)).hasMessageContaining("nesting");
  }

  private static void skipAll(byte[] buf) throws InvalidProtocolBufferException {
    WireReader in = new WireReader(buf, 0, buf.length);
    while (in.hasMore()) {
      in.skipField(in.readTag());
    }
  }
}
