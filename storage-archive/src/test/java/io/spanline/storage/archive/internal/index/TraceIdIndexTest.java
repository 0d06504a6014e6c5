package io.spanline.storage.archive.internal.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spanline.storage.archive.internal.index.TraceIdIndex.FileRef;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TraceIdIndexTest {
  private static final String A = "0af7651916cd43dd8448eb211c80319c";
  private static final String B = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String C = "ffffffffffffffff0000000000000001";

  @Test
  void namesTheFilesHoldingATrace_andNoneForAnUnknownOne() {
    TraceIdIndex index =
        TraceIdIndex.of(
            Map.of(
                new FileRef("0-0-9.parquet", 100),
                List.of(A, C),
                new FileRef("1-0-3.parquet", 50),
                List.of(B, C)));

    assertThat(index.filesHolding(A)).containsExactly("0-0-9.parquet");
    assertThat(index.filesHolding(C)).containsExactlyInAnyOrder("0-0-9.parquet", "1-0-3.parquet");
    assertThat(index.filesHolding("00000000000000000000000000000001")).isEmpty();
    assertThat(index.entries()).isEqualTo(4);
  }

  @Test
  void survivesEncoding() throws IOException {
    TraceIdIndex index = TraceIdIndex.of(Map.of(new FileRef("c-1-0.parquet", 7), List.of(C, A, B)));

    TraceIdIndex decoded = TraceIdIndex.decode(index.encode());

    assertThat(decoded.files()).containsExactly(new FileRef("c-1-0.parquet", 7));
    assertThat(decoded.filesHolding(B)).containsExactly("c-1-0.parquet");
    assertThat(decoded.filesHolding(C)).containsExactly("c-1-0.parquet");
    assertThat(decoded.encode()).isEqualTo(index.encode());
  }

  @Test
  void replacesTheEntriesOfAFileAddedAgain() {
    TraceIdIndex index =
        TraceIdIndex.of(Map.of(new FileRef("0-0-9.parquet", 100), List.of(A)))
            .with(Map.of(new FileRef("1-0-9.parquet", 10), List.of(B)))
            .with(Map.of(new FileRef("0-0-9.parquet", 120), List.of(C)));

    assertThat(index.files())
        .containsExactly(new FileRef("1-0-9.parquet", 10), new FileRef("0-0-9.parquet", 120));
    assertThat(index.filesHolding(A)).isEmpty();
    assertThat(index.filesHolding(C)).containsExactly("0-0-9.parquet");
    assertThat(index.filesHolding(B)).containsExactly("1-0-9.parquet");
  }

  @Test
  void refusesBytesThatAreNotAnIndex() {
    byte[] truncated =
        Arrays.copyOf(TraceIdIndex.of(Map.of(new FileRef("x", 1), List.of(A))).encode(), 20);

    assertThatThrownBy(() -> TraceIdIndex.decode(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("magic");
    assertThatThrownBy(() -> TraceIdIndex.decode(truncated)).isInstanceOf(IOException.class);
  }
}
