package io.spanline.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The benchmarks' scratch folders: they write gigabytes and must never leave them behind. */
final class BenchFiles {
  private BenchFiles() {}

  /** Deletes a folder and everything in it. */
  /** What a benchmark does in its temporary folder. */
  @FunctionalInterface
  interface InFolder {
    void run(Path dir) throws Exception;
  }

  /**
   * Runs {@code body} in a new temporary folder and deletes the folder afterwards, whatever
   * happens: runs write gigabytes to the broker's log.
   */
  static void inTempFolder(String prefix, InFolder body) throws Exception {
    Path dir = java.nio.file.Files.createTempDirectory(prefix);
    try {
      body.run(dir);
    } finally {
      deleteTree(dir);
    }
  }

  /**
   * {@code settings} plus every system property of this JVM starting with {@code prefix} (e.g.
   * {@code -Dspanline.sampling.producer.linger.ms=20}), which win.
   */
  static java.util.Map<String, String> withJvmOverrides(
      String prefix, java.util.Map<String, String> settings) {
    java.util.Map<String, String> out = new java.util.HashMap<>(settings);
    System.getProperties()
        .forEach(
            (k, v) -> {
              if (k.toString().startsWith(prefix)) {
                out.put(k.toString(), v.toString());
              }
            });
    return out;
  }

  /**
   * {@code settings} (README keys) as {@code <prefix><key>} properties, plus the JVM's own {@code
   * -D<prefix>...} overrides, which win.
   */
  static java.util.Map<String, String> settings(
      String prefix, java.util.Map<String, String> settings) {
    java.util.Map<String, String> prefixed = new java.util.HashMap<>();
    settings.forEach((k, v) -> prefixed.put(prefix + k, v));
    return withJvmOverrides(prefix, prefixed);
  }

  static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** Bytes of the regular files under a folder. */
  static long sizeOf(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
  }
}
