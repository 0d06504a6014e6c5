package io.spanline.service.process;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A command's live progress line on standard error (the replay, the dry run, the backfill): shown
 * at most once per interval; on a terminal one line rewritten in place ({@code \r}), otherwise a
 * line per refresh, for logs and pipes. The command says what the line holds; this class only
 * decides when and how it is printed. Not thread-safe.
 */
public final class ProgressLine {
  /** How progress is shown: the values of the commands' {@code --progress} option. */
  public enum Mode {
    /** {@link #TERMINAL} when the JVM has a console, else {@link #PLAIN}. */
    AUTO,
    /** One line rewritten in place. */
    TERMINAL,
    /** A line per refresh. */
    PLAIN,
    /** Nothing. */
    NONE
  }

  private final PrintStream err;
  private final Mode mode;
  private final long intervalNanos;
  private final LongSupplier nanoTime;
  private final long startNanos;
  private long lastPrintNanos;
  private int lastWidth;

  /**
   * @param err where the line goes (standard error)
   * @param mode how it is shown; {@link Mode#AUTO} is resolved here, once
   * @param interval the least time between two refreshes
   * @param nanoTime the clock ({@code System::nanoTime}; a test's own)
   * @throws NullPointerException if an argument is null
   */
  public ProgressLine(PrintStream err, Mode mode, Duration interval, LongSupplier nanoTime) {
    this.err = Objects.requireNonNull(err, "err");
    Objects.requireNonNull(mode, "mode");
    this.mode = mode == Mode.AUTO ? (System.console() != null ? Mode.TERMINAL : Mode.PLAIN) : mode;
    this.intervalNanos = interval.toNanos();
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    this.startNanos = nanoTime.getAsLong();
    this.lastPrintNanos = startNanos;
  }

  /** Seconds since this line was made, at least a nanosecond (a divisor for rates). */
  public double elapsedSeconds(long nowNanos) {
    return Math.max(1e-9, (nowNanos - startNanos) / 1e9);
  }

  /** The clock's time now, nanoseconds. */
  public long now() {
    return nanoTime.getAsLong();
  }

  /**
   * Prints {@code line} if the interval is up since the last print, or always when {@code last}
   * (which ends the line on a terminal). {@code line} is only called when printing.
   */
  public void show(Supplier<String> line, boolean last) {
    long now = nanoTime.getAsLong();
    if (!last && now - lastPrintNanos < intervalNanos) {
      return;
    }
    lastPrintNanos = now;
    if (mode == Mode.NONE) {
      return;
    }
    String text = line.get();
    if (mode == Mode.TERMINAL) {
      String pad = " ".repeat(Math.max(0, lastWidth - text.length()));
      lastWidth = text.length();
      err.print("\r" + text + pad + (last ? System.lineSeparator() : ""));
    } else {
      err.println(text);
    }
    err.flush();
  }

  /**
   * A time left as {@code h:mm:ss}: {@code 0:00:00} when nothing is left, {@code ?} when the rate
   * is not known yet.
   *
   * @param left work left, in the rate's unit
   * @param perSecond the rate, units per second
   */
  public static String eta(double left, double perSecond) {
    if (left <= 0) {
      return "0:00:00";
    }
    if (perSecond <= 0) {
      return "?";
    }
    long s = (long) Math.ceil(left / perSecond);
    return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
  }
}
