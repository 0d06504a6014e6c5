package io.spanline.service.streams;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds and aborts the hanging transactions of one Kafka Streams app, so that a crash cannot wedge
 * it.
 *
 * <p>A transaction hangs when a partition holds transactional records of a producer and no marker
 * will ever end them: the partition's last stable offset (LSO) stays below them for good, so
 * read_committed readers (an exactly-once restore, a committed-offset fetch with {@code
 * require_stable}, the next stage) stop there for ever. KIP-664 names the case and gives operators
 * {@code kafka-transactions.sh find-hanging} and {@code abort}; this class does the same for the
 * app's own transactions. It was seen after {@code kill -9} of the all-in-one (broker and app in
 * one process): the transaction coordinator recorded a commit as complete while the commit markers
 * of two partitions (a changelog and {@code __consumer_offsets}) were never written, so the
 * restarted app waited at its restore and offset fetch for ever.
 *
 * <p>Each check looks at the partitions the app reads or writes: the topics it names, its internal
 * topics (those starting with its {@code application.id}) and {@code __consumer_offsets}. For each
 * open transaction of a producer whose transactional ID is the app's own ({@code application.id}
 * then {@code -}), the transaction hangs when both hold:
 *
 * <ul>
 *   <li>this class has seen it open for at least {@code minimumAge} (not the records' timestamps,
 *       which are event time in Kafka Streams), longer than the app's transaction timeout, after
 *       which the coordinator would have aborted a transaction it still knew;
 *   <li>the coordinator (DescribeTransactions) is not in a live state (Ongoing, PrepareCommit,
 *       PrepareAbort, PrepareEpochFence, unknown) for that producer with this partition in it, so
 *       it will never write this partition's marker.
 * </ul>
 *
 * A hanging transaction is aborted with the Admin API (KIP-664 {@code AbortTransaction}, which
 * writes the abort marker itself), logged and counted in {@code
 * spanline_streams_hanging_transactions_aborted_total}. The abort needs the {@code ClusterAction}
 * permission; where it is refused, the transaction stays, {@link #problem()} names it with the
 * {@code kafka-transactions.sh} command an operator runs, and {@code /readyz} answers unready. A
 * stale abort is harmless: a marker whose producer epoch is older than the partition's is refused
 * by the broker.
 */
final class HangingTransactions implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HangingTransactions.class);
  private static final long CALL_TIMEOUT_SECONDS = 30;

  private final Admin admin;
  private final String applicationId;
  private final List<String> topics;
  private final Duration minimumAge;
  private final Clock clock;
  private final Counter aborted;
  private final Map<OpenTransaction, Long> firstSeenMs = new ConcurrentHashMap<>();
  private final AtomicReference<Optional<String>> problem = new AtomicReference<>(Optional.empty());
  private final ScheduledExecutorService scheduler;

  /**
   * One open transaction on one partition, as the partition leader describes it
   * (DescribeProducers).
   *
   * @param partition where the records are
   * @param producerId the producer
   * @param producerEpoch the producer epoch of the open transaction's records
   * @param coordinatorEpoch the coordinator epoch of the producer's last marker on this partition,
   *     -1 if none
   * @param startOffset offset of the transaction's first record, where the LSO stops
   */
  public record OpenTransaction(
      TopicPartition partition,
      long producerId,
      int producerEpoch,
      int coordinatorEpoch,
      long startOffset) {}

  /**
   * Creates the check without starting it; see {@link #start}.
   *
   * @param admin the app's admin client, closed by {@link #close()}
   * @param applicationId the app's {@code application.id}: only transactional IDs starting with it
   *     and {@code -} are the app's own
   * @param topics the app's source and sink topics; its internal topics and {@code
   *     __consumer_offsets} are added
   * @param minimumAge how long a transaction stays open before it may hang; at least the app's
   *     transaction timeout
   */
  public HangingTransactions(
      Admin admin,
      String applicationId,
      List<String> topics,
      Duration minimumAge,
      Clock clock,
      MeterRegistry registry) {
    this.admin = admin;
    this.applicationId = applicationId;
    this.topics = List.copyOf(topics);
    this.minimumAge = minimumAge;
    this.clock = clock;
    this.aborted =
        Counter.builder("spanline_streams_hanging_transactions_aborted")
            .description(
                "Hanging transactions of this app aborted, after a crash left them without"
                    + " markers")
            .register(registry);
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "hanging-transactions-" + applicationId);
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Checks now and then every {@code interval} on a thread of its own; a failed check is logged and
   * tried again at the next.
   */
  public HangingTransactions start(Duration interval) {
    scheduler.scheduleWithFixedDelay(
        () -> {
          try {
            check();
          } catch (RuntimeException e) {
            LOG.warn(
                "Checking {} for hanging transactions failed: {}", applicationId, e.toString());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        },
        0,
        interval.toMillis(),
        TimeUnit.MILLISECONDS);
    return this;
  }

  /** Why the app is unready: hanging transactions it could not abort; empty when there are none. */
  public Optional<String> problem() {
    return problem.get();
  }

  /**
   * One check: finds the app's hanging transactions and aborts them. A transaction is judged only
   * once this class has seen it open for {@code minimumAge}, over several checks.
   *
   * @return the hanging transactions found, aborted or not
   * @throws IllegalStateException when Kafka does not answer within 30 s
   * @throws InterruptedException when interrupted while waiting for Kafka
   */
  public List<OpenTransaction> check() throws InterruptedException {
    long nowMs = clock.millis();
    List<OpenTransaction> hanging = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    Set<OpenTransaction> stillOpen = new HashSet<>();
    Map<Long, Optional<TransactionDescription>> coordinators = new HashMap<>();
    for (Map.Entry<TopicPartition, List<ProducerState>> e : openTransactions().entrySet()) {
      for (ProducerState p : e.getValue()) {
        OpenTransaction open =
            new OpenTransaction(
                e.getKey(),
                p.producerId(),
                p.producerEpoch(),
                p.coordinatorEpoch().orElse(-1),
                p.currentTransactionStartOffset().getAsLong());
        stillOpen.add(open);
        // counted from this class's own sighting: record timestamps are event time in Streams
        long seenMs = firstSeenMs.computeIfAbsent(open, k -> nowMs);
        if (nowMs - seenMs < minimumAge.toMillis()) {
          continue;
        }
        Optional<TransactionDescription> coordinator =
            coordinators.computeIfAbsent(p.producerId(), this::ownTransaction);
        if (coordinator.isEmpty() || !hangs(open, coordinator.get())) {
          continue;
        }
        if (!stillOpen(open)) {
          continue; // its marker arrived while the coordinator was asked
        }
        hanging.add(open);
        abort(open, coordinator.get()).ifPresent(refused::add);
      }
    }
    firstSeenMs.keySet().retainAll(stillOpen);
    problem.set(
        refused.isEmpty()
            ? Optional.empty()
            : Optional.of("hanging transactions that could not be aborted: " + refused));
    return hanging;
  }

  /**
   * Whether an open transaction on a partition hangs, given what its coordinator says: the
   * coordinator is not live for this producer with this partition in its transaction.
   *
   * @param open the open transaction, as the partition leader describes it
   * @param coordinator the coordinator's description of the producer's transactional ID
   */
  static boolean hangs(OpenTransaction open, TransactionDescription coordinator) {
    if (coordinator.producerId() != open.producerId()) {
      return true; // the transactional ID has moved to a new producer ID
    }
    boolean live =
        switch (coordinator.state()) {
          case ONGOING, PREPARE_COMMIT, PREPARE_ABORT, PREPARE_EPOCH_FENCE, UNKNOWN -> true;
          case COMPLETE_COMMIT, COMPLETE_ABORT, EMPTY -> false;
        };
    return !(live && coordinator.topicPartitions().contains(open.partition()));
  }

  /** Open transactions by partition, over the app's topics, internal topics and offsets. */
  private Map<TopicPartition, List<ProducerState>> openTransactions() throws InterruptedException {
    Set<String> names = new HashSet<>(topics);
    for (String t : await(admin.listTopics(new ListTopicsOptions().listInternal(true)).names())) {
      if (t.startsWith(applicationId + "-") || t.equals(Topic.GROUP_METADATA_TOPIC_NAME)) {
        names.add(t);
      }
    }
    List<TopicPartition> partitions = new ArrayList<>();
    for (TopicDescription d : await(admin.describeTopics(names).allTopicNames()).values()) {
      d.partitions().forEach(p -> partitions.add(new TopicPartition(d.name(), p.partition())));
    }
    Map<TopicPartition, List<ProducerState>> open = new HashMap<>();
    for (Map.Entry<
            TopicPartition,
            org.apache.kafka.clients.admin.DescribeProducersResult.PartitionProducerState>
        e : await(admin.describeProducers(partitions).all()).entrySet()) {
      List<ProducerState> withTransaction =
          e.getValue().activeProducers().stream()
              .filter(p -> p.currentTransactionStartOffset().isPresent())
              .toList();
      if (!withTransaction.isEmpty()) {
        open.put(e.getKey(), withTransaction);
      }
    }
    return open;
  }

  /** Whether the partition still holds this open transaction. */
  private boolean stillOpen(OpenTransaction open) throws InterruptedException {
    return await(admin.describeProducers(List.of(open.partition())).all())
        .get(open.partition())
        .activeProducers()
        .stream()
        .anyMatch(
            p ->
                p.producerId() == open.producerId()
                    && p.currentTransactionStartOffset().orElse(-1) == open.startOffset());
  }

  /** The coordinator's view of a producer, when its transactional ID is the app's own. */
  private Optional<TransactionDescription> ownTransaction(long producerId) {
    try {
      for (TransactionListing l :
          await(
              admin
                  .listTransactions(
                      new ListTransactionsOptions().filterProducerIds(Set.of(producerId)))
                  .all())) {
        if (l.transactionalId().startsWith(applicationId + "-")) {
          return Optional.of(
              await(admin.describeTransactions(List.of(l.transactionalId())).all())
                  .get(l.transactionalId()));
        }
      }
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Aborts a hanging transaction; the reason when Kafka refused. */
  private Optional<String> abort(OpenTransaction open, TransactionDescription coordinator)
      throws InterruptedException {
    String what =
        String.format(
            "%s from offset %d (producer %d, epoch %d; coordinator says %s at epoch %d)",
            open.partition(),
            open.startOffset(),
            open.producerId(),
            open.producerEpoch(),
            coordinator.state(),
            coordinator.producerEpoch());
    try {
      await(
          admin
              .abortTransaction(
                  new AbortTransactionSpec(
                      open.partition(),
                      open.producerId(),
                      (short) open.producerEpoch(),
                      open.coordinatorEpoch()))
              .all());
      aborted.increment();
      LOG.warn("Aborted a hanging transaction on {}; its records are discarded", what);
      return Optional.empty();
    } catch (IllegalStateException e) {
      if (!stillOpen(open)) {
        // a marker ended it meanwhile, and the broker refused the stale abort: nothing to do
        LOG.info("A transaction on {} ended before its abort: {}", what, e.getMessage());
        return Optional.empty();
      }
      String command =
          String.format(
              "kafka-transactions.sh --bootstrap-server <brokers> abort --topic %s --partition %d"
                  + " --start-offset %d",
              open.partition().topic(), open.partition().partition(), open.startOffset());
      LOG.error(
          "A hanging transaction on {} blocks this app and could not be aborted ({}); run: {}",
          what,
          e.getCause() == null ? e.getMessage() : e.getCause().toString(),
          command);
      return Optional.of(what + ": run " + command);
    }
  }

  private static <T> T await(org.apache.kafka.common.KafkaFuture<T> future)
      throws InterruptedException {
    try {
      return future.get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("Kafka did not answer within " + CALL_TIMEOUT_SECONDS + " s");
    }
  }

  /** Stops checking and closes the admin client. */
  @Override
  public void close() {
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    admin.close(Duration.ofSeconds(5));
  }
}
