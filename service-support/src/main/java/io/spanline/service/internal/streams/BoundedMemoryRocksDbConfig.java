package io.spanline.service.internal.streams;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.CompressionType;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Bounds the memory of every RocksDB store of the instance together, as the Kafka Streams memory
 * management guide describes: one LRU block cache ({@value #BLOCK_CACHE_BYTES}) that also holds
 * index and filter blocks and counts the memtables ({@value #WRITE_BUFFER_BYTES}) against it. Data
 * is LZ4-compressed: open-trace state is OTLP protobuf, which compresses about five to one.
 */
public final class BoundedMemoryRocksDbConfig implements RocksDBConfigSetter {
  /** Streams config key: bytes of the shared block cache. */
  public static final String BLOCK_CACHE_BYTES = "spanline.rocksdb.block-cache.bytes";

  /** Streams config key: bytes of memtables, counted against the block cache. */
  public static final String WRITE_BUFFER_BYTES = "spanline.rocksdb.write-buffer.bytes";

  private static Cache cache;
  private static WriteBufferManager writeBufferManager;

  private static synchronized void initShared(long cacheBytes, long writeBufferBytes) {
    if (cache == null) {
      cache = new LRUCache(cacheBytes + writeBufferBytes, -1, false, 0.1);
      writeBufferManager = new WriteBufferManager(writeBufferBytes, cache);
    }
  }

  @Override
  public void setConfig(String storeName, Options options, Map<String, Object> configs) {
    long cacheBytes = longOf(configs.get(BLOCK_CACHE_BYTES), 64L << 20);
    long writeBufferBytes = longOf(configs.get(WRITE_BUFFER_BYTES), 64L << 20);
    initShared(cacheBytes, writeBufferBytes);
    BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
    table.setBlockCache(cache);
    table.setCacheIndexAndFilterBlocks(true);
    table.setCacheIndexAndFilterBlocksWithHighPriority(true);
    table.setPinTopLevelIndexAndFilter(true);
    options.setWriteBufferManager(writeBufferManager);
    options.setTableFormatConfig(table);
    options.setCompressionType(CompressionType.LZ4_COMPRESSION);
  }

  @Override
  public void close(String storeName, Options options) {
    // The cache and write buffer manager are shared by every store: never closed per store.
  }

  private static long longOf(Object value, long fallback) {
    return value == null ? fallback : Long.parseLong(value.toString());
  }
}
