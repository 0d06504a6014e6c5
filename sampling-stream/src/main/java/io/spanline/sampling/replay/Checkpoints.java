package io.spanline.sampling.replay;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Checkpoint files of replays and dry runs: JSON, replaced atomically. */
final class Checkpoints {
  private static final ObjectMapper JSON =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private Checkpoints() {}

  /**
   * Reads {@code file} as {@code type}, or returns null when it does not exist.
   *
   * @throws IOException naming the file when it cannot be read or parsed
   */
  static <T> T readIfExists(Path file, Class<T> type) throws IOException {
    if (!Files.exists(file)) {
      return null;
    }
    try {
      return JSON.readValue(file.toFile(), type);
    } catch (IOException e) {
      throw new IOException(
          "checkpoint "
              + file
              + " cannot be read ("
              + e.getMessage()
              + "); delete it to start over",
          e);
    }
  }

  /**
   * Writes {@code value} to {@code file} through a temporary file beside it renamed over it, so a
   * crash leaves the old file or the new one, never part of one.
   */
  static void write(Path file, Object value) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
    try {
      JSON.writeValue(tmp.toFile(), value);
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
