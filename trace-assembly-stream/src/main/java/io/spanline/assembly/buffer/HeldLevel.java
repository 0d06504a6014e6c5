package io.spanline.assembly.buffer;

/**
 * A shedding level with hysteresis, kept by one task for the instance or for one tenant: it rises
 * at once to what the fill calls for, but falls by one level at most per {@code holdMillis} (the
 * idle timeout) since it was last set, never below what the fill calls for. Traces kept now stay
 * buffered for about an idle timeout, so the fill shows a level's effect only that much later; a
 * level that followed the fill straight down would let in a wave of new traces each time the fill
 * dipped, and settle right at the edge of the top level, a few traces from the bound. Not
 * thread-safe: one task's.
 */
final class HeldLevel {
  private int level;
  private long since = Long.MIN_VALUE;

  /**
   * The level to apply now.
   *
   * @param wanted the level the fill calls for now
   * @param nowMillis the task's clock, epoch millis
   * @param holdMillis how long a level holds before it may fall by one
   */
  int next(int wanted, long nowMillis, long holdMillis) {
    if (wanted >= level) {
      level = wanted;
      since = nowMillis;
    } else if (nowMillis - since >= holdMillis) {
      long steps = (nowMillis - since) / holdMillis;
      level = (int) Math.max(wanted, level - steps);
      since = nowMillis;
    }
    return level;
  }

  int level() {
    return level;
  }
}
