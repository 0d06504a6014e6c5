package io.spanline.sampling.policy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The current policies of a policy file, reloaded when the file's content changes. A file that
 * cannot be read or parsed keeps the previous policies; the error is logged once per content with
 * line and field, and counted. Thread-safe.
 */
public final class PolicyReloader implements Supplier<SamplingPolicies>, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PolicyReloader.class);

  private final Path file;
  private final Consumer<Boolean> loadCounter;
  private final ScheduledExecutorService timer;
  private volatile SamplingPolicies current;
  private String lastText;

  private PolicyReloader(
      Path file, SamplingPolicies initial, String text, Consumer<Boolean> loads) {
    this.file = file;
    this.current = initial;
    this.lastText = text;
    this.loadCounter = loads;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "policy-reloader");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Loads the file and checks it for changes every {@code interval}.
   *
   * @param loads told of each load: true when it succeeded, false when it failed
   * @throws PolicyFileException if the file cannot be read or parsed at start-up (naming line and
   *     field): a sampling stream never starts with policies nobody wrote
   */
  public static PolicyReloader start(Path file, Duration interval, Consumer<Boolean> loads)
      throws PolicyFileException {
    String text = read(file);
    SamplingPolicies initial;
    try {
      initial = PolicyFileParser.parse(text);
    } catch (PolicyFileException e) {
      loads.accept(false);
      throw e;
    }
    loads.accept(true);
    PolicyReloader r = new PolicyReloader(file, initial, text, loads);
    long ms = interval.toMillis();
    r.timer.scheduleWithFixedDelay(r::reloadQuietly, ms, ms, TimeUnit.MILLISECONDS);
    LOG.info("Sampling policies loaded from {}", file);
    return r;
  }

  @Override
  public SamplingPolicies get() {
    return current;
  }

  /**
   * Reads the file now and swaps the policies when its content changed and parses.
   *
   * @return true when new policies were installed
   */
  synchronized boolean reload() {
    String text;
    try {
      text = read(file);
    } catch (PolicyFileException e) {
      if (lastText != null) {
        LOG.error(
            "Policy file {} cannot be read; keeping the current policies: {}",
            file,
            e.getMessage());
        loadCounter.accept(false);
        lastText = null;
      }
      return false;
    }
    if (text.equals(lastText)) {
      return false;
    }
    lastText = text;
    try {
      current = PolicyFileParser.parse(text);
    } catch (PolicyFileException e) {
      LOG.error(
          "Policy file {} is invalid at {}; keeping the current policies", file, e.getMessage());
      loadCounter.accept(false);
      return false;
    }
    loadCounter.accept(true);
    LOG.info("Sampling policies reloaded from {}", file);
    return true;
  }

  private void reloadQuietly() {
    try {
      reload();
    } catch (RuntimeException e) {
      LOG.error("Policy reload failed; keeping the current policies", e);
    }
  }

  private static String read(Path file) throws PolicyFileException {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new PolicyFileException("policy file " + file + " cannot be read: " + e, e);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
