package io.spanline.allinone.demo;

import com.linecorp.armeria.client.BlockingWebClient;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.RequestHeadersBuilder;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.Server;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small shop made of real services instrumented with the OpenTelemetry Java SDK, each with its
 * own SDK and resource, calling each other over real HTTP (Armeria) with W3C Trace Context
 * propagation:
 *
 * <pre>
 * load ─► frontend GET /shop ─► checkout POST /orders ─┬─► payment POST /charge
 *                                                      ├─► inventory POST /reserve ─► inventory-db (client span)
 *                                                      └─► Kafka topic demo.orders ─► fulfillment (consumer) ─► pack order
 * </pre>
 *
 * The Kafka hop follows the OpenTelemetry messaging conventions: checkout's PRODUCER span ({@code
 * demo.orders publish}) is the message's creation context, carried in the record's headers;
 * fulfillment's CONSUMER span ({@code demo.orders process}) is its child and links to it, the link
 * carrying the record's partition, offset and key ({@link #processSpan}).
 *
 * <p>Payments fail at {@link DemoSettings#errorRate()} (status ERROR, an exception event, HTTP 502
 * up the chain) and are slowed at {@link DemoSettings#slowRate()}; a slow payment, and only a slow
 * one, goes through {@link #SLOW_PROVIDER} ({@link #PAYMENT_PROVIDER}). At half the error rate a
 * reservation finds the stock short after its database query (HTTP 409, and checkout fails with
 * 502), so some failing checkouts have a PostgreSQL call below them and some do not. Every service
 * exports OTLP/HTTP protobuf to the gateway through a batch span processor; a {@code copy}
 * exporter, when given, receives the same spans (the end-to-end test compares the two).
 */
public final class DemoWorkload implements AutoCloseable {
  /** The topic of the asynchronous hop from checkout to fulfillment. */
  public static final String ORDERS_TOPIC = "demo.orders";

  /** Payment span attribute: the payment provider charged. */
  public static final String PAYMENT_PROVIDER = "payment.provider";

  /** The provider of every slow payment (and of no other). */
  public static final String SLOW_PROVIDER = "legacy-bank";

  /** The providers of the other payments, picked at random. */
  public static final List<String> ORDINARY_PROVIDERS =
      List.of("demo-card", "demo-wallet", "demo-transfer");

  /** The demo's services, in call order. */
  public static final List<String> SERVICES =
      List.of("frontend", "checkout", "payment", "inventory", "fulfillment");

  private static final Logger LOG = LoggerFactory.getLogger(DemoWorkload.class);

  private static final TextMapGetter<RequestHeaders> HTTP_GETTER =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(RequestHeaders carrier) {
          List<String> names = new ArrayList<>();
          carrier.names().forEach(n -> names.add(n.toString()));
          return names;
        }

        @Override
        public String get(RequestHeaders carrier, String key) {
          return carrier == null ? null : carrier.get(key);
        }
      };

  private static final TextMapGetter<Headers> KAFKA_GETTER =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Headers carrier) {
          List<String> names = new ArrayList<>();
          carrier.forEach(h -> names.add(h.key()));
          return names;
        }

        @Override
        public String get(Headers carrier, String key) {
          Header h = carrier == null ? null : carrier.lastHeader(key);
          return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
        }
      };

  private final DemoSettings settings;
  private final Map<String, ServiceTelemetry> telemetry = new HashMap<>();
  private final List<Server> servers = new ArrayList<>();
  private final KafkaProducer<String, String> producer;
  private final KafkaConsumer<String, String> consumer;
  private final Thread fulfillment;
  private final ScheduledExecutorService load;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLong requestsSent = new AtomicLong();
  private final AtomicLong ordersPublished = new AtomicLong();
  private final AtomicLong ordersFulfilled = new AtomicLong();
  private final BlockingWebClient loadClient;

  private DemoWorkload(
      DemoSettings settings, URI otlpTracesEndpoint, String kafkaBootstrap, SpanExporter copy)
      throws Exception {
    this.settings = settings;
    for (String service : SERVICES) {
      telemetry.put(
          service, new ServiceTelemetry(service, otlpTracesEndpoint, settings.tenant(), copy));
    }
    createOrdersTopic(kafkaBootstrap);
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    this.producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrap);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "demo-fulfillment");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    this.consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer());

    Peer payment = new Peer(serve("payment", this::payment));
    Peer inventory = new Peer(serve("inventory", this::inventory));
    Peer checkout =
        new Peer(serve("checkout", (headers, body) -> checkout(headers, body, payment, inventory)));
    URI frontend = serve("frontend", (headers, body) -> frontend(headers, checkout));
    this.loadClient = WebClient.of(frontend).blocking();
    this.fulfillment = new Thread(this::fulfill, "demo-fulfillment");
    fulfillment.setDaemon(true);
    fulfillment.start();
    this.load =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "demo-load");
              t.setDaemon(true);
              return t;
            });
    long periodMicros = Math.max(1, Math.round(1_000_000 / settings.requestsPerSecond()));
    load.scheduleAtFixedRate(this::sendOne, 0, periodMicros, TimeUnit.MICROSECONDS);
  }

  /**
   * Starts the demo services and the load.
   *
   * @param otlpTracesEndpoint the gateway's OTLP/HTTP traces URL, e.g. {@code
   *     http://127.0.0.1:4318/v1/traces}
   * @param kafkaBootstrap where the demo's own topic {@value #ORDERS_TOPIC} lives
   * @param copy an exporter that receives every span the services export, or null
   * @throws Exception when a demo server or the Kafka topic cannot be set up
   */
  public static DemoWorkload start(
      DemoSettings settings, URI otlpTracesEndpoint, String kafkaBootstrap, SpanExporter copy)
      throws Exception {
    return new DemoWorkload(settings, otlpTracesEndpoint, kafkaBootstrap, copy);
  }

  private static void createOrdersTopic(String bootstrap) throws Exception {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      Set<String> names = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      if (!names.contains(ORDERS_TOPIC)) {
        admin
            .createTopics(List.of(new NewTopic(ORDERS_TOPIC, 3, (short) 1)))
            .all()
            .get(30, TimeUnit.SECONDS);
      }
    }
  }

  /** A demo service's handler: request headers and body in, status and body out. */
  private interface Handler {
    Reply handle(RequestHeaders headers, String body) throws Exception;
  }

  private record Reply(HttpStatus status, String body) {}

  /** A demo service as its callers see it: its address and one client, reused for every call. */
  private record Peer(URI uri, BlockingWebClient client) {
    Peer(URI uri) {
      this(uri, WebClient.of(uri).blocking());
    }
  }

  /** Serves one demo service on a free port of 127.0.0.1; handlers run off the event loop. */
  private URI serve(String service, Handler handler) {
    HttpService http =
        (ctx, req) ->
            HttpResponse.of(
                req.aggregate()
                    .thenApplyAsync(
                        (AggregatedHttpRequest agg) -> {
                          try {
                            Reply r = handler.handle(agg.headers(), agg.contentUtf8());
                            return HttpResponse.of(
                                r.status(), MediaType.PLAIN_TEXT_UTF_8, r.body());
                          } catch (Exception e) {
                            return HttpResponse.of(
                                HttpStatus.INTERNAL_SERVER_ERROR,
                                MediaType.PLAIN_TEXT_UTF_8,
                                String.valueOf(e.getMessage()));
                          }
                        },
                        ctx.blockingTaskExecutor()));
    Server server =
        Server.builder()
            .http(new InetSocketAddress("127.0.0.1", 0))
            .serviceUnder("/", http)
            .build();
    server.start().join();
    servers.add(server);
    return URI.create("http://127.0.0.1:" + server.activeLocalPort());
  }

  /** The server span of an incoming request, child of the caller's propagated context. */
  private Span serverSpan(String service, RequestHeaders headers, String route) {
    Context parent = ServiceTelemetry.PROPAGATOR.extract(Context.root(), headers, HTTP_GETTER);
    return tracer(service)
        .spanBuilder(headers.method().name() + " " + route)
        .setParent(parent)
        .setSpanKind(SpanKind.SERVER)
        .setAttribute("http.request.method", headers.method().name())
        .setAttribute("http.route", route)
        .setAttribute("url.path", headers.path())
        .setAttribute("url.scheme", "http")
        .startSpan();
  }

  /** Calls another demo service with a client span, propagating the context in the headers. */
  private AggregatedHttpResponse call(String service, Peer peer, String path, String body) {
    URI target = peer.uri();
    Span span =
        tracer(service)
            .spanBuilder("POST")
            .setSpanKind(SpanKind.CLIENT)
            .setAttribute("http.request.method", "POST")
            .setAttribute("server.address", target.getHost())
            .setAttribute("server.port", (long) target.getPort())
            .setAttribute("url.full", target.resolve(path).toString())
            .startSpan();
    try (Scope ignored = span.makeCurrent()) {
      RequestHeadersBuilder headers = RequestHeaders.builder(HttpMethod.POST, path);
      ServiceTelemetry.PROPAGATOR.inject(Context.current(), headers, (h, k, v) -> h.set(k, v));
      AggregatedHttpResponse response =
          peer.client().execute(headers.contentType(MediaType.PLAIN_TEXT_UTF_8).build(), body);
      int status = response.status().code();
      span.setAttribute("http.response.status_code", (long) status);
      if (status >= 400) {
        span.setStatus(StatusCode.ERROR, "HTTP " + status);
      }
      return response;
    } finally {
      span.end();
    }
  }

  private Reply frontend(RequestHeaders headers, Peer checkout) throws InterruptedException {
    Span span = serverSpan("frontend", headers, "/shop");
    try (Scope ignored = span.makeCurrent()) {
      jitter();
      String order = Long.toHexString(ThreadLocalRandom.current().nextLong());
      AggregatedHttpResponse r = call("frontend", checkout, "/orders", order);
      return finish(span, r.status(), r.contentUtf8());
    } finally {
      span.end();
    }
  }

  private Reply checkout(RequestHeaders headers, String order, Peer payment, Peer inventory)
      throws InterruptedException {
    Span span = serverSpan("checkout", headers, "/orders");
    try (Scope ignored = span.makeCurrent()) {
      span.setAttribute("order.id", order);
      jitter();
      AggregatedHttpResponse paid = call("checkout", payment, "/charge", order);
      if (paid.status().code() >= 400) {
        return finish(span, HttpStatus.BAD_GATEWAY, "payment failed: " + paid.contentUtf8());
      }
      AggregatedHttpResponse reserved = call("checkout", inventory, "/reserve", order);
      if (reserved.status().code() >= 400) {
        return finish(span, HttpStatus.BAD_GATEWAY, "reservation failed");
      }
      publish(order);
      return finish(span, HttpStatus.OK, "order " + order + " placed");
    } finally {
      span.end();
    }
  }

  /** The asynchronous hop: a producer span, its context in the record's headers. */
  private void publish(String order) {
    Span span =
        tracer("checkout")
            .spanBuilder(ORDERS_TOPIC + " publish")
            .setSpanKind(SpanKind.PRODUCER)
            .setAttribute("messaging.system", "kafka")
            .setAttribute("messaging.operation.type", "send")
            .setAttribute("messaging.destination.name", ORDERS_TOPIC)
            .startSpan();
    try (Scope ignored = span.makeCurrent()) {
      ProducerRecord<String, String> record = new ProducerRecord<>(ORDERS_TOPIC, order, order);
      ServiceTelemetry.PROPAGATOR.inject(
          Context.current(),
          record.headers(),
          (h, k, v) -> h.add(k, v.getBytes(StandardCharsets.UTF_8)));
      producer.send(record).get(10, TimeUnit.SECONDS);
      ordersPublished.incrementAndGet();
    } catch (Exception e) {
      span.recordException(e);
      span.setStatus(StatusCode.ERROR, "publish failed");
    } finally {
      span.end();
    }
  }

  private Reply payment(RequestHeaders headers, String order) throws InterruptedException {
    Span span = serverSpan("payment", headers, "/charge");
    try (Scope ignored = span.makeCurrent()) {
      span.setAttribute("order.id", order);
      ThreadLocalRandom random = ThreadLocalRandom.current();
      boolean slow = random.nextDouble() < settings.slowRate();
      // the slow payments all go through one provider, among ordinary ones: the cause the web UI's
      // "What is different?" finds when slow checkouts are compared with the others
      String provider =
          slow ? SLOW_PROVIDER : ORDINARY_PROVIDERS.get(random.nextInt(ORDINARY_PROVIDERS.size()));
      span.setAttribute(PAYMENT_PROVIDER, provider);
      jitter();
      if (slow) {
        span.addEvent("payment provider slow");
        Thread.sleep(settings.slowDelay().toMillis());
      }
      if (random.nextDouble() < settings.errorRate()) {
        IllegalStateException e = new IllegalStateException("card declined by " + provider);
        span.recordException(e);
        span.setStatus(StatusCode.ERROR, e.getMessage());
        span.setAttribute("http.response.status_code", 502L);
        return new Reply(HttpStatus.BAD_GATEWAY, e.getMessage());
      }
      return finish(span, HttpStatus.OK, "charged");
    } finally {
      span.end();
    }
  }

  private Reply inventory(RequestHeaders headers, String order) throws InterruptedException {
    Span span = serverSpan("inventory", headers, "/reserve");
    try (Scope ignored = span.makeCurrent()) {
      Span query =
          tracer("inventory")
              .spanBuilder("SELECT inventory.stock")
              .setSpanKind(SpanKind.CLIENT)
              .setAttribute("db.system.name", "postgresql")
              .setAttribute("db.namespace", "inventory")
              .setAttribute("db.query.text", "SELECT quantity FROM stock WHERE sku = $1 FOR UPDATE")
              .setAttribute("server.address", "inventory-db")
              .setAttribute("peer.service", "inventory-db")
              .startSpan();
      try (Scope q = query.makeCurrent()) {
        jitter();
      } finally {
        query.end();
      }
      if (ThreadLocalRandom.current().nextDouble() < settings.errorRate() / 2) {
        span.addEvent("stock short");
        return finish(span, HttpStatus.CONFLICT, "out of stock");
      }
      return finish(span, HttpStatus.OK, "reserved");
    } finally {
      span.end();
    }
  }

  /** The fulfillment service: consumes orders, continuing each order's trace. */
  private void fulfill() {
    consumer.subscribe(List.of(ORDERS_TOPIC));
    Tracer tracer = tracer("fulfillment");
    while (running.get()) {
      try {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          Span span = processSpan(tracer, record);
          try (Scope ignored = span.makeCurrent()) {
            Span pack = tracer.spanBuilder("pack order").startSpan();
            try (Scope p = pack.makeCurrent()) {
              pack.setAttribute("order.id", record.value());
              jitter();
            } finally {
              pack.end();
            }
          } finally {
            span.end();
          }
          ordersFulfilled.incrementAndGet();
        }
        consumer.commitSync();
      } catch (org.apache.kafka.common.errors.WakeupException e) {
        break;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (RuntimeException e) {
        LOG.warn("demo fulfillment failed to process a batch: {}", e.toString());
      }
    }
    consumer.close();
  }

  /** Link attribute: the partition the processed record was read from. */
  static final AttributeKey<String> PARTITION_ID =
      AttributeKey.stringKey("messaging.destination.partition.id");

  /** Link (and span) attribute: the processed record's offset in its partition. */
  static final AttributeKey<Long> KAFKA_OFFSET = AttributeKey.longKey("messaging.kafka.offset");

  /** Link attribute: the processed record's key (the order). */
  static final AttributeKey<String> KAFKA_KEY =
      AttributeKey.stringKey("messaging.kafka.message.key");

  /**
   * Starts the CONSUMER span that processes one order record. As the OpenTelemetry messaging
   * conventions ask of a "process" span for each message it accounts for, it links to the message's
   * creation context — the producer span whose context the record's headers carry — with the
   * record's partition, offset and key on the link. For a single message the conventions allow that
   * context as the parent too; the demo keeps it, so an order's trace stays one trace. A record
   * without a valid context in its headers gets a root span without link.
   */
  static Span processSpan(Tracer tracer, ConsumerRecord<String, String> record) {
    Context creation =
        ServiceTelemetry.PROPAGATOR.extract(Context.root(), record.headers(), KAFKA_GETTER);
    SpanContext producer = Span.fromContext(creation).getSpanContext();
    SpanBuilder span =
        tracer
            .spanBuilder(ORDERS_TOPIC + " process")
            .setParent(creation)
            .setSpanKind(SpanKind.CONSUMER)
            .setAttribute("messaging.system", "kafka")
            .setAttribute("messaging.operation.type", "process")
            .setAttribute("messaging.destination.name", ORDERS_TOPIC)
            .setAttribute(KAFKA_OFFSET, record.offset());
    if (producer.isValid()) {
      AttributesBuilder link =
          Attributes.builder()
              .put(PARTITION_ID, String.valueOf(record.partition()))
              .put(KAFKA_OFFSET, record.offset());
      if (record.key() != null) {
        link.put(KAFKA_KEY, record.key());
      }
      span.addLink(producer, link.build());
    }
    return span.startSpan();
  }

  private void sendOne() {
    if (!running.get()) {
      return;
    }
    try {
      loadClient.get("/shop");
      requestsSent.incrementAndGet();
    } catch (RuntimeException e) {
      LOG.warn("demo request failed: {}", e.toString());
    }
  }

  private Reply finish(Span span, HttpStatus status, String body) {
    span.setAttribute("http.response.status_code", (long) status.code());
    if (status.code() >= 500) {
      span.setStatus(StatusCode.ERROR, "HTTP " + status.code());
    }
    return new Reply(status, body);
  }

  private void jitter() throws InterruptedException {
    long max = settings.maxJitter().toMillis();
    if (max > 0) {
      Thread.sleep(ThreadLocalRandom.current().nextLong(max + 1));
    }
  }

  private Tracer tracer(String service) {
    return telemetry.get(service).tracer();
  }

  /** Shop requests sent so far. */
  public long requestsSent() {
    return requestsSent.get();
  }

  /** Orders published to {@value #ORDERS_TOPIC} and fulfilled so far. */
  long ordersPublished() {
    return ordersPublished.get();
  }

  long ordersFulfilled() {
    return ordersFulfilled.get();
  }

  /**
   * Stops sending new requests, lets fulfillment catch up with the orders already published (up to
   * {@code timeout}), and exports every ended span.
   *
   * @return whether fulfillment caught up and every exporter flushed within the timeout
   */
  public boolean stopLoad(Duration timeout) throws InterruptedException {
    load.shutdown();
    load.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (ordersFulfilled.get() < ordersPublished.get() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    boolean caughtUp = ordersFulfilled.get() >= ordersPublished.get();
    boolean flushed = true;
    for (ServiceTelemetry t : telemetry.values()) {
      flushed &= t.flush(timeout);
    }
    return caughtUp && flushed;
  }

  @Override
  public void close() {
    load.shutdownNow();
    running.set(false);
    consumer.wakeup();
    try {
      fulfillment.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    CompletableFuture.allOf(servers.stream().map(Server::stop).toArray(CompletableFuture[]::new))
        .join();
    producer.close(Duration.ofSeconds(5));
    telemetry.values().forEach(ServiceTelemetry::close);
  }
}
