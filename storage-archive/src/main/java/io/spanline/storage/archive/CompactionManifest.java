package io.spanline.storage.archive;

import io.spanline.storage.archive.internal.index.TraceIdIndex.FileRef;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A compaction's commit record in an hour folder ({@code _compaction-<id>.manifest}): the files it
 * wrote and every data file they replace (its inputs, plus what earlier manifests of the hour
 * replaced, so older manifests can be deleted without a replaced file coming back). Its existence
 * is the commit: before it, the compaction's files are invisible; after it, the files it replaces
 * are. Text, one item a line: {@code spanline-compaction 1}, {@code output <name> <bytes>}, {@code
 * replaced <name>}.
 */
record CompactionManifest(String id, List<FileRef> outputs, Set<String> replaced) {
  private static final String HEADER = "spanline-compaction 1";

  CompactionManifest {
    outputs = List.copyOf(outputs);
    replaced = Set.copyOf(new TreeSet<>(replaced));
  }

  byte[] encode() {
    StringBuilder b = new StringBuilder(HEADER).append('\n');
    for (FileRef f : outputs) {
      b.append("output ").append(f.name()).append(' ').append(f.size()).append('\n');
    }
    for (String r : new TreeSet<>(replaced)) {
      b.append("replaced ").append(r).append('\n');
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * @throws IOException if the text is not a manifest
   */
  static CompactionManifest decode(String id, byte[] bytes) throws IOException {
    String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n");
    if (lines.length == 0 || !lines[0].equals(HEADER)) {
      throw new IOException("compaction manifest " + id + " has no '" + HEADER + "' header");
    }
    List<FileRef> outputs = new ArrayList<>();
    Set<String> replaced = new TreeSet<>();
    for (int i = 1; i < lines.length; i++) {
      String[] parts = lines[i].split(" ");
      if (parts.length == 3 && parts[0].equals("output")) {
        try {
          outputs.add(new FileRef(parts[1], Long.parseLong(parts[2])));
        } catch (NumberFormatException e) {
          throw new IOException("compaction manifest " + id + ": bad line '" + lines[i] + "'", e);
        }
      } else if (parts.length == 2 && parts[0].equals("replaced")) {
        replaced.add(parts[1]);
      } else if (!lines[i].isEmpty()) {
        throw new IOException("compaction manifest " + id + ": bad line '" + lines[i] + "'");
      }
    }
    return new CompactionManifest(id, outputs, replaced);
  }
}
