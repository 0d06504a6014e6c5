package io.spanline.sampling.replay;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where a replay (not a dry run) stands, so a new run continues it: the replay's Kafka Streams
 * {@code application.id} and output topic, its range and policy file, and, per partition of the
 * assembled topic, the next offset the replay has committed. The committed offsets in Kafka are
 * what a continued run starts from (Kafka Streams commits them with the kept traces, exactly once,
 * and restores the late-fragment decisions from its changelog); the file names the group and shows
 * how far it got. JSON, replaced atomically.
 *
 * @param version format version, 1
 * @param applicationId the replay's Kafka Streams application ID (its consumer group)
 * @param outputTopic the topic kept traces are written to
 * @param from start of the range, ISO-8601
 * @param to end of the range, ISO-8601
 * @param policySha256 SHA-256 of the policy file, hex
 * @param committed per partition, the next offset committed when the file was written
 */
record ReplayCheckpoint(
    int version,
    String applicationId,
    String outputTopic,
    String from,
    String to,
    String policySha256,
    Map<Integer, Long> committed) {

  /** Reads {@code file}, or returns null when it does not exist. */
  static ReplayCheckpoint readIfExists(Path file) throws IOException {
    return Checkpoints.readIfExists(file, ReplayCheckpoint.class);
  }

  /** Writes this checkpoint to {@code file} atomically. */
  void write(Path file) throws IOException {
    Checkpoints.write(file, this);
  }

  ReplayCheckpoint withCommitted(Map<Integer, Long> offsets) {
    return new ReplayCheckpoint(
        version, applicationId, outputTopic, from, to, policySha256, Map.copyOf(offsets));
  }
}
