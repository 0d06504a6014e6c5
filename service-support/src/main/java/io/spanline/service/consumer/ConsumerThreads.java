package io.spanline.service.consumer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer threads of a sink process, each running one {@link Worker} (a consumer loop). A
 * worker that fails is logged and replaced after 5 s by a new one from the factory, which resumes
 * from the group's last committed offsets.
 */
public final class ConsumerThreads implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConsumerThreads.class);
  private static final long RESTART_DELAY_MS = 5000;

  /** One consumer loop: {@link #run()} until {@link #stop()} (called from another thread). */
  public interface Worker extends Runnable {
    void stop();

    /** Called on the worker's thread after {@link #run()} returned or threw. */
    default void cleanUp() {}
  }

  private final List<Worker> live = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running = true;

  /**
   * Starts {@code count} threads named {@code <name>-<n>}.
   *
   * @param factory makes the worker of thread {@code n} (called on that thread, again after a
   *     failure)
   */
  ConsumerThreads(String name, int count, IntFunction<Worker> factory) {
    for (int i = 0; i < count; i++) {
      int number = i;
      Thread t = new Thread(() -> loop(number, factory), name + "-" + number);
      threads.add(t);
      t.start();
    }
  }

  private void loop(int number, IntFunction<Worker> factory) {
    while (running) {
      Worker worker;
      try {
        worker = factory.apply(number);
      } catch (RuntimeException e) {
        LOG.error("Cannot create consumer {}; trying again in 5 s", number, e);
        pause();
        continue;
      }
      live.add(worker);
      try {
        worker.run();
      } catch (RuntimeException e) {
        LOG.error("Consumer {} failed; starting it again in 5 s", number, e);
        pause();
      } finally {
        live.remove(worker);
        worker.cleanUp();
      }
    }
  }

  private void pause() {
    try {
      Thread.sleep(RESTART_DELAY_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  /** Workers running now. */
  int running() {
    return live.size();
  }

  /** Stops every worker (what it has not committed is read again later) and waits up to 30 s. */
  @Override
  public void close() {
    running = false;
    live.forEach(Worker::stop);
    for (Thread t : threads) {
      try {
        t.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
