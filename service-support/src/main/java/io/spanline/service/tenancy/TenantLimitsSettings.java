package io.spanline.service.tenancy;

import io.micrometer.core.instrument.MeterRegistry;
import io.spanline.service.config.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Where a service finds the tenant-limits file: {@code tenant-limits.file} (none by default: no
 * file, every limit from the service's own settings) and {@code tenant-limits.reload.interval.ms}
 * (how often it is read again, default 10 s). The gateway, the assembly stream and the query
 * service declare both keys ({@link #defaults}) and read them alike.
 *
 * @param file the file, empty for none
 * @param reloadInterval how often the file is read again for changes
 */
public record TenantLimitsSettings(Optional<Path> file, Duration reloadInterval) {
  /** No file. */
  public static final TenantLimitsSettings NONE =
      new TenantLimitsSettings(Optional.empty(), Duration.ofSeconds(10));

  /**
   * @throws IllegalArgumentException if the interval is not positive
   */
  public TenantLimitsSettings {
    if (reloadInterval.isNegative() || reloadInterval.isZero()) {
      throw new IllegalArgumentException(
          "Invalid value for property tenant-limits.reload.interval.ms="
              + reloadInterval.toMillis()
              + ". Must be > 0.");
    }
  }

  /** The two keys with their defaults, for an app's {@code DEFAULTS}. */
  public static Map<String, String> defaults() {
    Map<String, String> out = new LinkedHashMap<>();
    out.put("tenant-limits.file", "");
    out.put("tenant-limits.reload.interval.ms", "10000");
    return out;
  }

  /**
   * @throws IllegalArgumentException naming the key and value of a bad setting
   */
  public static TenantLimitsSettings from(Settings s) {
    String file = s.get("tenant-limits.file").strip();
    return new TenantLimitsSettings(
        file.isEmpty() ? Optional.empty() : Optional.of(Path.of(file)),
        s.millis("tenant-limits.reload.interval.ms"));
  }

  /**
   * The limits in force: the file, loaded now and reloaded every interval, or {@link
   * TenantLimitsFile#EMPTY} for ever when there is none. Close the answer to stop the reloads.
   *
   * @throws IllegalArgumentException if the file cannot be read or is invalid now
   */
  public Source open(MeterRegistry registry) {
    if (file.isEmpty()) {
      return new Source(() -> TenantLimitsFile.EMPTY, null);
    }
    TenantLimitsReloader reloader =
        TenantLimitsReloader.start(file.get(), reloadInterval, registry);
    return new Source(reloader, reloader);
  }

  /** The limits in force ({@link #get}), and what reloads them ({@link #close} stops it). */
  public static final class Source implements Supplier<TenantLimitsFile>, AutoCloseable {
    private final Supplier<TenantLimitsFile> limits;
    private final TenantLimitsReloader reloader;

    private Source(Supplier<TenantLimitsFile> limits, TenantLimitsReloader reloader) {
      this.limits = limits;
      this.reloader = reloader;
    }

    /** A source that always answers {@code file}: for tests and tools. */
    public static Source fixed(TenantLimitsFile file) {
      return new Source(() -> file, null);
    }

    @Override
    public TenantLimitsFile get() {
      return limits.get();
    }

    /** Whether the limits come from a file. */
    public boolean fromFile() {
      return reloader != null;
    }

    @Override
    public void close() {
      if (reloader != null) {
        reloader.close();
      }
    }
  }
}
