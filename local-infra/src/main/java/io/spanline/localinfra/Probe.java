package io.spanline.localinfra;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Waits for a server to become ready by asking it, again and again, until a deadline. */
public final class Probe {
  private Probe() {}

  /** Thrown by a check when waiting longer cannot help (the server process has exited). */
  public static final class GiveUp extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public GiveUp(String message) {
      super(message);
    }
  }

  /**
   * Calls {@code check} every {@code interval} until it returns true or {@code timeout} passes.
   *
   * @param what names the server in the timeout message
   * @throws IllegalStateException on timeout, with the last failure as cause
   * @throws GiveUp as soon as the check throws it
   */
  public static void until(
      String what, Duration timeout, Duration interval, Callable<Boolean> check) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    while (true) {
      try {
        if (Boolean.TRUE.equals(check.call())) {
          return;
        }
      } catch (GiveUp e) {
        throw e;
      } catch (Exception e) {
        last = e;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(what + " was not ready within " + timeout, last);
      }
      try {
        Thread.sleep(interval.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + what, e);
      }
    }
  }
}
