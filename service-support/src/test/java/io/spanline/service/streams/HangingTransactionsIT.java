package io.spanline.service.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.spanline.localinfra.Probe;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.junit.UniqueNames;
import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.service.streams.HangingTransactions.OpenTransaction;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link HangingTransactions} against a real broker, with a real hanging transaction: the
 * coordinator has completed the producer's transaction while a partition still holds an open one of
 * it, the state a crash left behind in the all-in-one.
 */
@ExtendWith(LocalInfraExtension.class)
class HangingTransactionsIT {
  private static final Duration OLD = Duration.ofMinutes(5);

  @Test
  void theAppsOwnHangingTransaction_isAborted_andReadersGoPastIt(LocalKafka kafka)
      throws Exception {
    String app = UniqueNames.unique("app");
    String topic = UniqueNames.unique("out");
    kafka.createTopics(1, List.of(topic));
    TopicPartition tp = new TopicPartition(topic, 0);
    try (Admin admin = kafka.admin()) {
      // Given a partition the coordinator will never mark: a record of the app's producer, in a
      // transaction the coordinator has already completed, written five minutes ago
      TransactionDescription done = commitOne(kafka, app + "-1", tp, "committed");
      strayTransactionalRecord(
          kafka, admin, tp, app + "-1", done, System.currentTimeMillis() - OLD.toMillis());
      assertThat(lastStableOffset(admin, tp)).isLessThan(logEndOffset(admin, tp));

      // When the app sees it open at one check, and again a minute and more later
      List<OpenTransaction> found;
      AtomicLong nowMs = new AtomicLong(System.currentTimeMillis());
      try (HangingTransactions hanging = check(kafka, app, topic, clockAt(nowMs))) {
        assertThat(hanging.check()).as("not judged at first sight").isEmpty();
        nowMs.addAndGet(Duration.ofMinutes(1).plusSeconds(1).toMillis());
        found = hanging.check();
        assertThat(hanging.problem()).isEmpty();
      }

      // Then it is aborted: the LSO reaches the log end, and readers see only committed records
      assertThat(found).extracting(OpenTransaction::partition).containsExactly(tp);
      assertThat(found.get(0).producerId()).isEqualTo(done.producerId());
      Probe.until(
          "the LSO at the log end",
          Duration.ofSeconds(30),
          Duration.ofMillis(100),
          () -> lastStableOffset(admin, tp) == logEndOffset(admin, tp));
      commitOne(kafka, app + "-1", tp, "after");
      assertThat(readCommitted(kafka, tp, 2)).containsExactly("committed", "after");
    }
  }

  @Test
  void aLiveTransaction_andAnotherAppsHangingOne_areLeftAlone(LocalKafka kafka) throws Exception {
    String app = UniqueNames.unique("app");
    String other = UniqueNames.unique("other");
    String topic = UniqueNames.unique("out");
    kafka.createTopics(2, List.of(topic));
    TopicPartition live = new TopicPartition(topic, 0);
    TopicPartition othersPartition = new TopicPartition(topic, 1);
    try (Admin admin = kafka.admin();
        KafkaProducer<String, String> producer = producer(kafka, app + "-1")) {
      // Given the app's transaction open on one partition, not yet committed
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, 0, "k", "open")).get();
      // and another app's hanging transaction on the other
      TransactionDescription othersDone = commitOne(kafka, other + "-1", othersPartition, "x");
      strayTransactionalRecord(
          kafka,
          admin,
          othersPartition,
          other + "-1",
          othersDone,
          System.currentTimeMillis() - OLD.toMillis());

      // When the app checks, taking every open transaction as old enough
      try (HangingTransactions hanging =
          new HangingTransactions(
              kafka.admin(),
              app,
              List.of(topic),
              Duration.ZERO,
              Clock.systemUTC(),
              new SimpleMeterRegistry())) {
        assertThat(hanging.check()).isEmpty();
      }

      // Then neither was touched: the live one commits, the other app's still holds its LSO
      producer.commitTransaction();
      assertThat(readCommitted(kafka, live, 1)).containsExactly("open");
      assertThat(lastStableOffset(admin, othersPartition))
          .isLessThan(logEndOffset(admin, othersPartition));
    }
  }

  private static HangingTransactions check(
      LocalKafka kafka, String app, String topic, Clock clock) {
    return new HangingTransactions(
        kafka.admin(),
        app,
        List.of(topic),
        Duration.ofMinutes(1),
        clock,
        new SimpleMeterRegistry());
  }

  /** A clock that reads {@code nowMs}, so a test moves time on without waiting. */
  private static Clock clockAt(AtomicLong nowMs) {
    return new Clock() {
      @Override
      public ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return Instant.ofEpochMilli(nowMs.get());
      }
    };
  }

  private static KafkaProducer<String, String> producer(LocalKafka kafka, String transactionalId) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    return new KafkaProducer<>(p);
  }

  /** Commits one record in a transaction; the coordinator's view afterwards. */
  private static TransactionDescription commitOne(
      LocalKafka kafka, String transactionalId, TopicPartition tp, String value) throws Exception {
    try (KafkaProducer<String, String> producer = producer(kafka, transactionalId);
        Admin admin = kafka.admin()) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(tp.topic(), tp.partition(), "k", value)).get();
      producer.commitTransaction();
      return admin.describeTransactions(List.of(transactionalId)).all().get().get(transactionalId);
    }
  }

  /**
   * Appends a transactional record of the coordinator's producer that no coordinator knows about: a
   * Produce request of version 9 (before KIP-890's implicit add) while the broker's partition
   * verification is off, so the leader appends it without asking the coordinator.
   */
  private static void strayTransactionalRecord(
      LocalKafka kafka,
      Admin admin,
      TopicPartition tp,
      String transactionalId,
      TransactionDescription coordinator,
      long timestampMs)
      throws Exception {
    partitionVerification(admin, "false", AlterConfigOp.OpType.SET);
    try {
      // the dynamic setting reaches the request handlers shortly after the alter returns
      Probe.until(
          "a stray transactional record appended",
          Duration.ofSeconds(30),
          Duration.ofMillis(200),
          () -> {
            Errors error = produceRaw(kafka, tp, transactionalId, coordinator, timestampMs);
            if (error != Errors.NONE) {
              throw error.exception();
            }
            return true;
          });
    } finally {
      partitionVerification(admin, "", AlterConfigOp.OpType.DELETE);
    }
  }

  /** Sets or deletes the broker-wide {@code transaction.partition.verification.enable}. */
  private static void partitionVerification(Admin admin, String value, AlterConfigOp.OpType op)
      throws Exception {
    ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "");
    ConfigEntry entry = new ConfigEntry("transaction.partition.verification.enable", value);
    admin
        .incrementalAlterConfigs(Map.of(broker, List.of(new AlterConfigOp(entry, op))))
        .all()
        .get();
  }

  private static Errors produceRaw(
      LocalKafka kafka,
      TopicPartition tp,
      String transactionalId,
      TransactionDescription coordinator,
      long timestampMs)
      throws Exception {
    // the partition's own view of the producer: the next record continues its epoch and sequence
    ProducerState last;
    try (Admin admin = kafka.admin()) {
      last =
          admin.describeProducers(List.of(tp)).partitionResult(tp).get().activeProducers().stream()
              .filter(p -> p.producerId() == coordinator.producerId())
              .findFirst()
              .orElseThrow();
    }
    MemoryRecords records =
        MemoryRecords.withTransactionalRecords(
            Compression.NONE,
            coordinator.producerId(),
            (short) last.producerEpoch(),
            last.lastSequence() + 1,
            new SimpleRecord(timestampMs, "k".getBytes(), "stray".getBytes()));
    ProduceRequestData data =
        new ProduceRequestData()
            .setAcks((short) -1)
            .setTimeoutMs(10_000)
            .setTransactionalId(transactionalId);
    data.topicData()
        .add(
            new ProduceRequestData.TopicProduceData()
                .setName(tp.topic())
                .setPartitionData(
                    List.of(
                        new ProduceRequestData.PartitionProduceData()
                            .setIndex(tp.partition())
                            .setRecords(records))));
    short version = 9;
    ByteBuffer request =
        new ProduceRequest(data, version)
            .serializeWithHeader(new RequestHeader(ApiKeys.PRODUCE, version, "hanging-it", 1));
    try (Socket socket = new Socket("127.0.0.1", kafka.port())) {
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      out.writeInt(request.remaining());
      out.write(request.array(), request.arrayOffset() + request.position(), request.remaining());
      out.flush();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      byte[] body = new byte[in.readInt()];
      in.readFully(body);
      ByteBuffer response = ByteBuffer.wrap(body);
      ResponseHeader.parse(response, ApiKeys.PRODUCE.responseHeaderVersion(version));
      short code =
          ProduceResponse.parse(new ByteBufferAccessor(response), version)
              .data()
              .responses()
              .iterator()
              .next()
              .partitionResponses()
              .get(0)
              .errorCode();
      return Errors.forCode(code);
    }
  }

  private static long lastStableOffset(Admin admin, TopicPartition tp) throws Exception {
    return admin
        .listOffsets(
            Map.of(tp, OffsetSpec.latest()), new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
        .partitionResult(tp)
        .get()
        .offset();
  }

  private static long logEndOffset(Admin admin, TopicPartition tp) throws Exception {
    return admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset();
  }

  private static List<String> readCommitted(LocalKafka kafka, TopicPartition tp, int expected) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      Probe.until(
          expected + " committed records read",
          Duration.ofSeconds(30),
          Duration.ZERO,
          () -> {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
              values.add(r.value());
            }
            return values.size() >= expected;
          });
    }
    return values;
  }
}
