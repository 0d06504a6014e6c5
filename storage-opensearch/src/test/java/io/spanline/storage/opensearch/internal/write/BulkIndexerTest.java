package io.spanline.storage.opensearch.internal.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spanline.storage.opensearch.PendingAction;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.opensearch.client.opensearch.core.bulk.BulkOperation;

class BulkIndexerTest {
  private static final String ORIGIN = "sampled-0@7";

  @Test
  void boundsEachBulkRequestByBytes_asWellAsByActions() {
    // Given documents of 400, 400, 300, 100 and 900 bytes
    List<PendingAction<String>> actions =
        List.of(
            action("a", 400),
            action("b", 400),
            action("c", 300),
            action("d", 100),
            action("e", 900));

    // When they are cut into requests of at most 1000 bytes and 10 actions
    List<List<PendingAction<String>>> chunks = BulkIndexer.chunks(actions, 10, 1000);

    // Then no request goes above 1000 bytes and the order is kept
    assertThat(chunks)
        .extracting(c -> c.stream().map(PendingAction::id).toList())
        .containsExactly(List.of("a", "b"), List.of("c", "d"), List.of("e"));
    // and the action bound still holds
    assertThat(BulkIndexer.chunks(actions, 2, Long.MAX_VALUE))
        .extracting(List::size)
        .containsExactly(2, 2, 1);
  }

  @Test
  void sendsADocumentLargerThanTheByteBoundAlone_ratherThanDroppingIt() {
    // Given a document larger than the bound between two small ones
    List<PendingAction<String>> actions =
        List.of(action("small", 10), action("huge", 5000), action("tail", 10));

    // When they are cut into requests of at most 1000 bytes
    List<List<PendingAction<String>>> chunks = BulkIndexer.chunks(actions, 100, 1000);

    // Then the large one makes a request of its own; nothing is left out
    assertThat(chunks)
        .extracting(c -> c.stream().map(PendingAction::id).toList())
        .containsExactly(List.of("small"), List.of("huge"), List.of("tail"));
  }

  @Test
  void refusesLimitsBelowOne_namingThem() {
    assertThatThrownBy(() -> new BulkIndexer(null, 1, 0, 1, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxBytes");
    assertThatThrownBy(() -> new BulkIndexer(null, 1, 1, 0, null))
        .hasMessageContaining("refusedMaxAttempts");
  }

  @Test
  void countsRefusalsOfADocument() {
    // Given a new action
    PendingAction<String> a = action("a", 10);

    // When OpenSearch refused it twice
    PendingAction<String> twice = a.refusedOnce().refusedOnce();

    // Then it carries the count, and everything else unchanged
    assertThat(a.refusals()).isZero();
    assertThat(twice.refusals()).isEqualTo(2);
    assertThat(twice.operation()).isSameAs(a.operation());
    assertThat(twice.bytes()).isEqualTo(10);
  }

  private static PendingAction<String> action(String id, long bytes) {
    return new PendingAction<>(
        ORIGIN,
        "idx",
        id,
        PendingAction.Kind.SPAN,
        BulkOperation.of(b -> b.delete(d -> d.index("idx").id(id))),
        bytes);
  }
}
