package io.spanline.localinfra.kafka;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.utils.Exit;

/**
 * Runs one {@link LocalKafka} broker in its own JVM until SIGTERM: {@code LocalKafkaMain <data dir>
 * <client port> <controller port>}. Benchmarks use it to keep the broker's threads, heap and JIT
 * apart from the app they measure, as a broker is in production.
 */
public final class LocalKafkaMain {
  private LocalKafkaMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: LocalKafkaMain <data dir> <client port> <controller port>");
      System.exit(2);
    }
    LocalKafka kafka =
        LocalKafka.start(Path.of(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]));
    // a broker in a JVM of its own ends it on a fatal fault, as Kafka does
    Exit.resetExitProcedure();
    Exit.resetHaltProcedure();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  kafka.close();
                  stopped.countDown();
                },
                "kafka-shutdown"));
    System.out.println("READY " + kafka.bootstrapServers());
    stopped.await();
  }
}
