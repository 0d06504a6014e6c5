package io.spanline.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spanline.localinfra.s3.LocalS3;
import io.spanline.schemas.model.SamplingDecision;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.registry.RestSchemaRegistryClient;
import io.spanline.schemas.topic.SpanlineTopics;
import io.spanline.schemas.topic.TopicNames;
import io.spanline.schemas.topic.TopicSpec;
import io.spanline.storage.archive.S3Clients;
import io.spanline.storage.archive.internal.parquet.SpanRows;
import io.spanline.storage.archive.internal.s3.S3InputFile;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetReader;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * What the pipeline holds, read through its public faces: the query service's native API, the
 * Parquet archive on S3 (every object of the tenant, row by row) and the decisions topic. Answers
 * keep duplicates, so that a span stored twice shows.
 */
final class Checks {
  static final String BUCKET = "spanline-archive";

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final Endpoints pipeline;
  private final String tenant;

  Checks(Endpoints pipeline, String tenant) {
    this.pipeline = pipeline;
    this.tenant = tenant;
  }

  /** The span IDs (hex) of a trace as {@code GET /v1/traces/{id}} answers, empty on a 404. */
  Optional<List<String>> querySpanIds(String traceId) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(pipeline.queryUri().resolve("v1/traces/" + traceId))
                .header("X-Scope-OrgID", tenant)
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() == 404) {
      return Optional.empty();
    }
    if (r.statusCode() != 200) {
      throw new IllegalStateException("GET /v1/traces/" + traceId + ": " + r.statusCode());
    }
    List<String> ids = new ArrayList<>();
    for (JsonNode rs : JSON.readTree(r.body()).path("trace").path("resourceSpans")) {
      for (JsonNode ss : rs.path("scopeSpans")) {
        for (JsonNode span : ss.path("spans")) {
          ids.add(span.path("spanId").asText());
        }
      }
    }
    return Optional.of(ids);
  }

  /** Every archived span of the tenant, by trace ID (hex), duplicates kept. */
  Map<String, List<String>> archivedSpans() throws Exception {
    Map<String, List<String>> out = new HashMap<>();
    try (S3Client s3 =
        S3Clients.create(
            Optional.of(pipeline.s3Endpoint()),
            LocalS3.REGION,
            true,
            LocalS3.ACCESS_KEY,
            LocalS3.SECRET_KEY)) {
      List<S3Object> objects =
          s3
              .listObjectsV2Paginator(
                  ListObjectsV2Request.builder()
                      .bucket(BUCKET)
                      .prefix("spans/tenant=" + tenant + "/")
                      .build())
              .contents()
              .stream()
              .filter(o -> o.key().endsWith(".parquet"))
              .toList();
      for (S3Object o : objects) {
        S3InputFile file =
            new S3InputFile(
                s3, BUCKET, o.key(), o.size(), 64 << 10, new LongAdder(), new LongAdder());
        try (ParquetReader<GenericRecord> reader =
            AvroParquetReader.<GenericRecord>builder(file)
                .withConf(new PlainParquetConfiguration())
                .build()) {
          for (GenericRecord row = reader.read(); row != null; row = reader.read()) {
            Span span = SpanRows.span(row);
            out.computeIfAbsent(span.traceId().toHex(), t -> new ArrayList<>())
                .add(span.spanId().toHex());
          }
        }
      }
    }
    return out;
  }

  /** How many decisions {@code spanline.decisions} holds for each of the tenant's traces. */
  Map<String, Integer> decisionCounts() {
    TopicSpec<TraceId, SamplingDecision> spec =
        new SpanlineTopics(
                TopicNames.DEFAULTS,
                new RestSchemaRegistryClient(pipeline.registryUri(), Duration.ofSeconds(10)))
            .decisions();
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, pipeline.kafkaBootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "chaos-" + UUID.randomUUID());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    Map<String, Integer> counts = new HashMap<>();
    try (KafkaConsumer<TraceId, SamplingDecision> consumer =
        new KafkaConsumer<>(
            props, spec.keySerde().deserializer(), spec.valueSerde().deserializer())) {
      List<TopicPartition> parts =
          consumer.partitionsFor(spec.name()).stream()
              .map(p -> new TopicPartition(spec.name(), p.partition()))
              .toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts);
      while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        for (ConsumerRecord<TraceId, SamplingDecision> r : consumer.poll(Duration.ofMillis(500))) {
          if (r.value() != null && r.value().tenant().equals(tenant)) {
            counts.merge(r.key().toHex(), 1, Integer::sum);
          }
        }
      }
    }
    return counts;
  }
}
