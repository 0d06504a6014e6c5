package io.spanline.service.tenancy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The current content of a tenant-limits file ({@link TenantLimitsFile}), read again every interval
 * and replaced when its text changed and parses. A file that cannot be read or is invalid is
 * refused with one error log line naming the file and the problem (once per content) and counted in
 * {@code spanline_tenant_limits_reloads_total{result="failure"}}; the last good limits stay in
 * force. {@code spanline_tenant_limits_reloads_total{result="success"}} counts loads, and {@code
 * spanline_tenant_limits_last_success_seconds} is when the limits in force were loaded (epoch
 * seconds). Thread-safe; {@link #get} never blocks.
 */
public final class TenantLimitsReloader implements Supplier<TenantLimitsFile>, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TenantLimitsReloader.class);

  private final Path file;
  private final Counter successes;
  private final Counter failures;
  private final AtomicLong lastSuccessSeconds = new AtomicLong();
  private final ScheduledExecutorService timer;
  private volatile TenantLimitsFile current;
  private String lastText;

  private TenantLimitsReloader(Path file, MeterRegistry registry) {
    this.file = file;
    this.successes =
        Counter.builder("spanline.tenant.limits.reloads")
            .description("Loads of the tenant-limits file, by result")
            .tag("result", "success")
            .register(registry);
    this.failures =
        Counter.builder("spanline.tenant.limits.reloads")
            .description("Loads of the tenant-limits file, by result")
            .tag("result", "failure")
            .register(registry);
    Gauge.builder("spanline.tenant.limits.last.success", lastSuccessSeconds, AtomicLong::get)
        .description("When the tenant limits in force were loaded, epoch seconds")
        .baseUnit("seconds")
        .register(registry);
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "tenant-limits-reloader");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Loads {@code file} and checks it for changes every {@code interval}.
   *
   * @throws IllegalArgumentException if the file cannot be read or is invalid at start-up (naming
   *     the file, line and key): a service never starts with limits nobody wrote
   */
  public static TenantLimitsReloader start(Path file, Duration interval, MeterRegistry registry) {
    Objects.requireNonNull(file, "file");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException(
          "Invalid value for tenant-limits.reload.interval.ms="
              + interval.toMillis()
              + ". Must be > 0.");
    }
    TenantLimitsReloader r = new TenantLimitsReloader(file, registry);
    String text;
    try {
      text = read(file);
      r.current = TenantLimitsFile.parse(text);
    } catch (IOException | IllegalArgumentException e) {
      r.failures.increment();
      r.timer.shutdownNow();
      throw new IllegalArgumentException(
          "Invalid value for tenant-limits.file=" + file + ": " + e.getMessage(), e);
    }
    r.lastText = text;
    r.loaded();
    long ms = interval.toMillis();
    r.timer.scheduleWithFixedDelay(r::reloadQuietly, ms, ms, TimeUnit.MILLISECONDS);
    LOG.info("Tenant limits loaded from {} ({} overrides)", file, r.current.overrides().size());
    return r;
  }

  /** The limits in force. */
  @Override
  public TenantLimitsFile get() {
    return current;
  }

  /**
   * Reads the file now and installs its limits when its text changed and parses.
   *
   * @return true when new limits were installed
   */
  public synchronized boolean reload() {
    String text;
    try {
      text = read(file);
    } catch (IOException e) {
      if (lastText != null) {
        LOG.error(
            "Tenant-limits file {} cannot be read; keeping the limits in force: {}",
            file,
            e.toString());
        failures.increment();
        lastText = null;
      }
      return false;
    }
    if (text.equals(lastText)) {
      return false;
    }
    lastText = text;
    TenantLimitsFile parsed;
    try {
      parsed = TenantLimitsFile.parse(text);
    } catch (IllegalArgumentException e) {
      LOG.error(
          "Tenant-limits file {} refused, keeping the limits in force: {}", file, e.getMessage());
      failures.increment();
      return false;
    }
    current = parsed;
    loaded();
    LOG.info("Tenant limits reloaded from {} ({} overrides)", file, parsed.overrides().size());
    return true;
  }

  private void loaded() {
    successes.increment();
    lastSuccessSeconds.set(System.currentTimeMillis() / 1000);
  }

  private void reloadQuietly() {
    try {
      reload();
    } catch (RuntimeException e) {
      LOG.error("Tenant-limits reload failed; keeping the limits in force", e);
    }
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
