package io.spanline.assembly.buffer;

import io.spanline.assembly.config.AssemblyConfig;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The two persistent, changelogged stores of trace assembly, both keyed by bytes ({@link StoreKeys}
 * gives the layouts):
 *
 * <ul>
 *   <li>{@value #BUFFER} — the chunks of every open trace, keyed (tenant, trace ID, chunk);
 *   <li>{@value #CLOSED} — recently closed traces ({@link ClosedTrace}), for late spans.
 * </ul>
 *
 * <p>What is derived from them (open traces' counters, the indexes by due time and by expiry) is
 * kept in memory and rebuilt when a task starts.
 */
final class TraceBufferStores {
  public static final String BUFFER = "trace-buffer";
  public static final String CLOSED = "closed-traces";

  /** Every store name, in the order above. */
  public static final List<String> NAMES = List.of(BUFFER, CLOSED);

  private TraceBufferStores() {}

  static Set<StoreBuilder<?>> builders(AssemblyConfig config) {
    // Changelog records hold a whole input record (a chunk) or a closed trace's span IDs.
    Map<String, String> changelog =
        Map.of("max.message.bytes", String.valueOf(config.tuning().producerMaxRequestBytes()));
    return Set.of(store(BUFFER, changelog), store(CLOSED, changelog));
  }

  private static StoreBuilder<KeyValueStore<Bytes, byte[]>> store(
      String name, Map<String, String> changelog) {
    return Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(name), Serdes.Bytes(), Serdes.ByteArray())
        .withCachingDisabled()
        .withLoggingEnabled(changelog);
  }
}
