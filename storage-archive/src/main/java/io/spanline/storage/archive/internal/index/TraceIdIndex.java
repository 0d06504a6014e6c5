package io.spanline.storage.archive.internal.index;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An hour's trace-ID index: the data files it covers (name within the hour folder and size in
 * bytes) and, sorted, the first 64 bits of every trace ID each of them holds with the file's
 * ordinal. Immutable. Encoded as {@code "SPIX"}, version 1, the files ({@code UTF} name, {@code
 * long} size), then the entries ({@code long} ID prefix, {@code int} file ordinal), big-endian: 12
 * bytes per trace and file. A 64-bit prefix shared by two trace IDs (about one pair in 2^64 / n)
 * only makes a reader open a file whose bloom filter then rules the trace out.
 */
public final class TraceIdIndex {
  private static final int MAGIC = 0x53504958;
  private static final int VERSION = 1;

  /** A data file the index covers: its name in the hour folder and its size in bytes. */
  public record FileRef(String name, long size) {
    public FileRef {
      Objects.requireNonNull(name, "name");
    }
  }

  /** The empty index. */
  public static final TraceIdIndex EMPTY = new TraceIdIndex(List.of(), new long[0], new int[0]);

  private final List<FileRef> files;
  private final long[] ids;
  private final int[] ordinals;

  private TraceIdIndex(List<FileRef> files, long[] ids, int[] ordinals) {
    this.files = files;
    this.ids = ids;
    this.ordinals = ordinals;
  }

  /** The index of these files, each with the trace IDs (hex) it holds. */
  public static TraceIdIndex of(Map<FileRef, ? extends Collection<String>> traceIds) {
    return EMPTY.with(traceIds);
  }

  /**
   * This index with {@code added} files (each with its trace IDs, hex) covered too; an entry for a
   * file of the same name is replaced.
   */
  public TraceIdIndex with(Map<FileRef, ? extends Collection<String>> added) {
    Set<String> replaced = new LinkedHashSet<>();
    added.keySet().forEach(f -> replaced.add(f.name()));
    List<FileRef> out = new ArrayList<>();
    int[] renumber = new int[files.size()];
    for (int i = 0; i < files.size(); i++) {
      if (replaced.contains(files.get(i).name())) {
        renumber[i] = -1;
      } else {
        renumber[i] = out.size();
        out.add(files.get(i));
      }
    }
    int total = 0;
    for (int i = 0; i < ids.length; i++) {
      total += renumber[ordinals[i]] >= 0 ? 1 : 0;
    }
    for (Collection<String> c : added.values()) {
      total += c.size();
    }
    long[] keys = new long[total];
    int[] origin = new int[total];
    int n = 0;
    for (int i = 0; i < ids.length; i++) {
      int o = renumber[ordinals[i]];
      if (o >= 0) {
        keys[n] = ids[i];
        origin[n] = o;
        n++;
      }
    }
    for (Map.Entry<FileRef, ? extends Collection<String>> e : added.entrySet()) {
      int o = out.size();
      out.add(e.getKey());
      for (String id : e.getValue()) {
        keys[n] = prefix(id);
        origin[n] = o;
        n++;
      }
    }
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    long[] k = keys;
    Arrays.sort(
        order,
        (a, b) -> {
          int c = Long.compareUnsigned(k[a], k[b]);
          return c != 0 ? c : Integer.compare(origin[a], origin[b]);
        });
    long[] sortedIds = new long[n];
    int[] sortedOrdinals = new int[n];
    for (int i = 0; i < n; i++) {
      sortedIds[i] = keys[order[i]];
      sortedOrdinals[i] = origin[order[i]];
    }
    return new TraceIdIndex(List.copyOf(out), sortedIds, sortedOrdinals);
  }

  /** The files covered, in ordinal order. */
  public List<FileRef> files() {
    return files;
  }

  /** Entries (trace ID and file pairs). */
  public int entries() {
    return ids.length;
  }

  /** Names of the covered files that may hold the trace (hex ID); empty when none does. */
  public Set<String> filesHolding(String traceIdHex) {
    long key = prefix(traceIdHex);
    int lo = 0;
    int hi = ids.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (Long.compareUnsigned(ids[mid], key) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    Set<String> out = new LinkedHashSet<>();
    for (int i = lo; i < ids.length && ids[i] == key; i++) {
      out.add(files.get(ordinals[i]).name());
    }
    return out;
  }

  /** The encoded index. */
  public byte[] encode() {
    ByteArrayOutputStream bytes =
        new ByteArrayOutputStream(16 + files.size() * 40 + ids.length * 12);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      out.writeInt(VERSION);
      out.writeInt(files.size());
      for (FileRef f : files) {
        out.writeUTF(f.name());
        out.writeLong(f.size());
      }
      out.writeInt(ids.length);
      for (int i = 0; i < ids.length; i++) {
        out.writeLong(ids[i]);
        out.writeInt(ordinals[i]);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * @throws IOException if the bytes are not an index of this version (truncated, wrong magic,
   *     ordinals out of range)
   */
  public static TraceIdIndex decode(byte[] bytes) throws IOException {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      if (in.readInt() != MAGIC) {
        throw new IOException("not a trace-ID index (bad magic)");
      }
      int version = in.readInt();
      if (version != VERSION) {
        throw new IOException("trace-ID index version " + version + " unknown");
      }
      int fileCount = in.readInt();
      if (fileCount < 0 || fileCount > bytes.length) {
        throw new IOException("trace-ID index: bad file count " + fileCount);
      }
      List<FileRef> files = new ArrayList<>(fileCount);
      for (int i = 0; i < fileCount; i++) {
        files.add(new FileRef(in.readUTF(), in.readLong()));
      }
      int n = in.readInt();
      if (n < 0 || (long) n * 12 > bytes.length) {
        throw new IOException("trace-ID index: bad entry count " + n);
      }
      long[] ids = new long[n];
      int[] ordinals = new int[n];
      for (int i = 0; i < n; i++) {
        ids[i] = in.readLong();
        ordinals[i] = in.readInt();
        if (ordinals[i] < 0 || ordinals[i] >= fileCount) {
          throw new IOException("trace-ID index: file ordinal " + ordinals[i] + " out of range");
        }
      }
      return new TraceIdIndex(List.copyOf(files), ids, ordinals);
    }
  }

  /** The first 64 bits of a hex trace ID (shorter IDs padded with zeros). */
  static long prefix(String traceIdHex) {
    String hex = traceIdHex.length() >= 16 ? traceIdHex.substring(0, 16) : traceIdHex;
    try {
      return Long.parseUnsignedLong(hex.isEmpty() ? "0" : hex, 16) << (4 * (16 - hex.length()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("trace ID is not hex: '" + traceIdHex + "'", e);
    }
  }
}
