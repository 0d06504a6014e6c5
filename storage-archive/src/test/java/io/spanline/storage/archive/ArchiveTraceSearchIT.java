package io.spanline.storage.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.junit.UniqueNames;
import io.spanline.localinfra.s3.LocalS3;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.SampledTrace;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.testing.TraceBuilder;
import io.spanline.storage.FoundSummary;
import io.spanline.storage.FoundTrace;
import io.spanline.storage.LinkTarget;
import io.spanline.storage.SpanCondition;
import io.spanline.storage.SummaryQuery;
import io.spanline.storage.TimeRange;
import io.spanline.storage.TraceQuery;
import io.spanline.storage.archive.internal.parquet.ParquetTraceWriter;
import io.spanline.storage.archive.internal.s3.S3Uploader;
import io.spanline.storage.archive.testing.ArchiveFixtures;
import java.nio.file.Files;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Cold search against a real S3-compatible server: each condition pushed down finds the right
 * traces and no others, never another tenant's; the bounds and an unreadable file give partial
 * answers, not failed ones. Traces are written through the archive sink's {@link ArchiveWriter},
 * one file per batch, in two hours (the second starts at {@link TraceBuilder#START} plus an hour).
 */
@ExtendWith(LocalInfraExtension.class)
class ArchiveTraceSearchIT {
  private static final ArchiveLayout LAYOUT = new ArchiveLayout("spans");
  private static final AtomicLong OFFSETS = new AtomicLong();
  private static final long HOUR = Duration.ofHours(1).toNanos();
  private static final long FROM = TraceBuilder.START - HOUR;
  private static final long TO = TraceBuilder.START + 3 * HOUR;

  private static S3Client s3;
  private static String bucket;
  private static ArchiveWriter writer;

  // tenant acme, first hour
  private static AssembledTrace checkoutError;
  private static AssembledTrace slowPayment;
  private static AssembledTrace withAttributes;
  // tenant acme, an hour later
  private static AssembledTrace laterCheckout;
  // tenant globex: the same shapes
  private static AssembledTrace globexCheckout;

  @BeforeAll
  static void start(LocalS3 server) throws Exception {
    bucket = UniqueNames.unique("coldsearch");
    s3 =
        S3Clients.create(
            new S3Settings(
                Optional.of(server.endpoint()),
                LocalS3.REGION,
                true,
                LocalS3.ACCESS_KEY,
                LocalS3.SECRET_KEY));
    s3.createBucket(b -> b.bucket(bucket));
    writer =
        new ArchiveWriter(
            new ParquetTraceWriter(1 << 20, 64 << 10),
            new S3Uploader(s3, bucket, 64L << 20, 16L << 20),
            LAYOUT,
            Files.createTempDirectory("archive-search"));
    checkoutError =
        TraceBuilder.trace()
            .tenant("acme")
            .root("frontend", "GET /cart", 50)
            .child("checkout", "POST /orders", 20)
            .error()
            .build();
    slowPayment =
        TraceBuilder.trace()
            .tenant("acme")
            .root("frontend", "GET /pay", 900)
            .child("payment", "charge", 800)
            .ok()
            .build();
    withAttributes =
        TraceBuilder.trace()
            .tenant("acme")
            .root("frontend", "GET /items", 30)
            .attr("http.status_code", 200L)
            .resourceAttr("deployment.environment", "prod")
            .child("inventory", "lookup", 5)
            .attr("db.system", "postgresql")
            .build();
    laterCheckout =
        TraceBuilder.trace()
            .tenant("acme")
            .shiftedBy(Duration.ofHours(1))
            .root("frontend", "GET /cart", 40)
            .child("checkout", "POST /orders", 10)
            .build();
    globexCheckout =
        TraceBuilder.trace()
            .tenant("globex")
            .root("frontend", "GET /cart", 50)
            .child("checkout", "POST /orders", 20)
            .error()
            .build();
    write(checkoutError, slowPayment);
    write(withAttributes);
    write(laterCheckout);
    write(globexCheckout);
  }

  @AfterAll
  static void stop() {
    if (s3 != null) {
      s3.close();
    }
  }

  private static ArchiveTraceSearch search(ArchiveTraceSearch.Limits limits) {
    return new ArchiveTraceSearch(s3, bucket, LAYOUT, limits, new SimpleMeterRegistry());
  }

  private static List<TraceId> ids(String tenant, TraceQuery.Builder query) throws Exception {
    ArchiveTraceSearch.Result<TraceId> r =
        search(ArchiveTraceSearch.Limits.DEFAULT).findTraceIds(tenant, query.build());
    assertThat(r.partial()).isFalse();
    return r.items();
  }

  private static TraceQuery.Builder query(String service) {
    return new TraceQuery.Builder(service, new TimeRange(FROM, TO));
  }

  @Test
  void eachSpanConditionPushedDown_findsTheMatchingTraces_mostRecentFirst() throws Exception {
    // service: a span of that service
    assertThat(ids("acme", query("checkout")))
        .containsExactly(laterCheckout.traceId(), checkoutError.traceId());
    // operation (span name)
    assertThat(ids("acme", query("payment").operation("charge")))
        .containsExactly(slowPayment.traceId());
    assertThat(ids("acme", query("frontend").operation("charge"))).isEmpty();
    // status of the span
    assertThat(ids("acme", query("").spanStatus("ERROR"))).containsExactly(checkoutError.traceId());
    assertThat(ids("acme", query("").spanStatus("OK"))).containsExactly(slowPayment.traceId());
    // duration of the span (not of the trace)
    assertThat(ids("acme", query("").durationMin(Duration.ofMillis(700).toNanos())))
        .containsExactly(slowPayment.traceId());
    assertThat(
            ids(
                "acme",
                query("payment")
                    .durationMin(Duration.ofMillis(10).toNanos())
                    .durationMax(Duration.ofMillis(500).toNanos())))
        .isEmpty();
    assertThat(
            ids(
                "acme",
                query("checkout")
                    .durationMin(Duration.ofMillis(15).toNanos())
                    .durationMax(Duration.ofMillis(25).toNanos())))
        .containsExactly(checkoutError.traceId());
    // attributes in string form, on the span or its resource, all on one span
    assertThat(ids("acme", query("").attribute("http.status_code", "200")))
        .containsExactly(withAttributes.traceId());
    assertThat(
            ids(
                "acme",
                query("frontend")
                    .attribute("http.status_code", "200")
                    .attribute("deployment.environment", "prod")))
        .containsExactly(withAttributes.traceId());
    assertThat(
            ids(
                "acme",
                query("")
                    .attribute("http.status_code", "200")
                    .attribute("db.system", "postgresql")))
        .as("the two attributes are on different spans")
        .isEmpty();
    assertThat(ids("acme", query("").attribute("http.status_code", "404"))).isEmpty();
    // the time range: only the first hour
    assertThat(
            search(ArchiveTraceSearch.Limits.DEFAULT)
                .findTraceIds(
                    "acme",
                    new TraceQuery.Builder(
                            "checkout",
                            new TimeRange(TraceBuilder.START, TraceBuilder.START + HOUR / 2))
                        .build())
                .items())
        .containsExactly(checkoutError.traceId());
  }

  private static List<TraceId> matching(
      String tenant, SpanCondition condition, TimeRange range, Optional<Set<TraceId>> within)
      throws Exception {
    ArchiveTraceSearch.Result<TraceId> r =
        search(ArchiveTraceSearch.Limits.DEFAULT)
            .findTraceIds(tenant, condition, range, 100, within);
    assertThat(r.partial()).isFalse();
    return r.items();
  }

  private static List<TraceId> matching(String tenant, SpanCondition condition) throws Exception {
    return matching(tenant, condition, new TimeRange(FROM, TO), Optional.empty());
  }

  private static SpanCondition.Compare is(
      SpanCondition.Field field, SpanCondition.Operator op, Object value) {
    return new SpanCondition.Compare(field, op, value);
  }

  @Test
  void spanConditions_pushedDownAndTestedOnTheRows_mostRecentFirst_withinACandidateSet()
      throws Exception {
    SpanCondition checkout = is(SpanCondition.Field.SERVICE, SpanCondition.Operator.EQ, "checkout");
    assertThat(matching("acme", checkout))
        .containsExactly(laterCheckout.traceId(), checkoutError.traceId());
    assertThat(matching("globex", checkout)).containsExactly(globexCheckout.traceId());
    // the root span's name
    assertThat(
            matching(
                "acme",
                new SpanCondition.AllOf(
                    List.of(
                        new SpanCondition.Root(),
                        is(SpanCondition.Field.NAME, SpanCondition.Operator.EQ, "GET /pay")))))
        .containsExactly(slowPayment.traceId());
    // a root's missing parent matches no comparison, not even "not equal"
    assertThat(
            matching(
                "acme",
                new SpanCondition.AllOf(
                    List.of(
                        is(SpanCondition.Field.SERVICE, SpanCondition.Operator.EQ, "frontend"),
                        is(
                            SpanCondition.Field.PARENT_SPAN_ID,
                            SpanCondition.Operator.NE,
                            "00000000000000ff")))))
        .isEmpty();
    // either status; a string order comparison (tested on the rows only); the span's duration
    assertThat(
            matching(
                "acme",
                new SpanCondition.AnyOf(
                    List.of(
                        is(SpanCondition.Field.STATUS, SpanCondition.Operator.EQ, "ERROR"),
                        is(SpanCondition.Field.STATUS, SpanCondition.Operator.EQ, "OK")))))
        .containsExactlyInAnyOrder(checkoutError.traceId(), slowPayment.traceId());
    assertThat(matching("acme", is(SpanCondition.Field.NAME, SpanCondition.Operator.LT, "GET /d")))
        .containsExactly(laterCheckout.traceId(), checkoutError.traceId());
    assertThat(
            matching(
                "acme",
                is(
                    SpanCondition.Field.DURATION_NANOS,
                    SpanCondition.Operator.GT,
                    Duration.ofMillis(700).toNanos())))
        .containsExactly(slowPayment.traceId());
    // only among the candidates given, and only in the range
    assertThat(
            matching(
                "acme",
                checkout,
                new TimeRange(FROM, TO),
                Optional.of(Set.of(checkoutError.traceId(), slowPayment.traceId()))))
        .containsExactly(checkoutError.traceId());
    assertThat(matching("acme", checkout, new TimeRange(FROM, TO), Optional.of(Set.of())))
        .isEmpty();
    assertThat(
            matching(
                "acme",
                checkout,
                new TimeRange(TraceBuilder.START, TraceBuilder.START + HOUR / 2),
                Optional.empty()))
        .containsExactly(checkoutError.traceId());
  }

  @Test
  void candidateSearch_readsWholeTracesInItsRange_boundedInCount_sayingWhatItLeftOut()
      throws Exception {
    ArchiveCandidateSearch candidates =
        new ArchiveCandidateSearch(
            search(ArchiveTraceSearch.Limits.DEFAULT),
            new ArchiveTraceStore(
                new ColdTraceReader(s3, bucket, LAYOUT, 1000), new SimpleMeterRegistry()),
            new TimeRange(FROM, TO),
            2);
    // a caller's wider range is cut to the search's
    List<TraceId> ids =
        candidates.findTraceIds(
            "acme", SpanCondition.ANY, new TimeRange(0, Long.MAX_VALUE / 2), 10, Optional.empty());
    assertThat(ids)
        .containsExactlyInAnyOrder(
            laterCheckout.traceId(),
            checkoutError.traceId(),
            slowPayment.traceId(),
            withAttributes.traceId());
    assertThat(candidates.partialReason()).isEmpty();
    assertThat(candidates.attributeKeys("acme", Optional.empty())).isEmpty();

    Map<TraceId, FoundTrace> first =
        candidates.traces("acme", List.of(checkoutError.traceId(), slowPayment.traceId()));
    assertThat(first.keySet()).containsExactly(checkoutError.traceId(), slowPayment.traceId());
    assertThat(first.get(checkoutError.traceId()).spans())
        .containsExactlyInAnyOrderElementsOf(checkoutError.spans());
    assertThat(candidates.partialReason()).isEmpty();
    assertThat(candidates.traces("globex", List.of(globexCheckout.traceId()))).isEmpty();
    assertThat(candidates.partialReason())
        .hasValueSatisfying(r -> assertThat(r).contains("most traces of one query (2)"));
    assertThatThrownBy(() -> candidates.services("acme"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void aTenantNeverFindsAnotherTenantsTraces() throws Exception {
    assertThat(ids("globex", query("checkout"))).containsExactly(globexCheckout.traceId());
    assertThat(ids("globex", query("payment"))).isEmpty();
    assertThat(ids("initech", query(""))).isEmpty();
    assertThat(ids("acme", query("checkout"))).doesNotContain(globexCheckout.traceId());
  }

  @Test
  void readsOnlyTheColumnsAndRowGroupsItNeeds() throws Exception {
    // Given a tenant's file of 400 traces with incompressible attributes and one of another
    // service
    String tenant = UniqueNames.unique("bulk");
    java.util.Random random = new java.util.Random(23);
    List<AssembledTrace> traces = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      byte[] payload = new byte[128];
      random.nextBytes(payload);
      traces.add(
          TraceBuilder.trace()
              .tenant(tenant)
              .root("frontend", "GET /batch", 100)
              .attr("payload", java.util.HexFormat.of().formatHex(payload))
              .build());
    }
    AssembledTrace small =
        TraceBuilder.trace().tenant(tenant).root("payment", "charge", 10).build();
    traces.add(small);
    write(traces.toArray(AssembledTrace[]::new));

    // When the payment service's traces are searched
    ArchiveTraceSearch.Result<TraceId> r =
        search(ArchiveTraceSearch.Limits.DEFAULT).findTraceIds(tenant, query("payment").build());

    // Then only the footer and the few columns searched are fetched, not the spans' bodies
    assertThat(r.items()).containsExactly(small.traceId());
    assertThat(r.stats().filesListed()).isEqualTo(1);
    assertThat(r.stats().filesRead()).isEqualTo(1);
    assertThat(r.stats().bytesStored()).isGreaterThan(100_000);
    assertThat(r.partial()).isFalse();
    assertThat(r.stats().fetchedShare())
        .as("fetched %d of %d bytes", r.stats().bytesFetched(), r.stats().bytesStored())
        .isLessThan(0.5);
  }

  @Test
  void summarySearch_conditionsOnTheWholeTrace_andSummariesFromItsRows() throws Exception {
    ArchiveTraceSearch s = search(ArchiveTraceSearch.Limits.DEFAULT);

    // error of the whole trace; service any service of the trace
    ArchiveTraceSearch.Result<FoundSummary> failed =
        s.findSummaries(
            "acme", summaries(Optional.of("frontend"), Optional.of(true), Optional.empty(), 20));
    // duration of the whole trace
    ArchiveTraceSearch.Result<FoundSummary> slow =
        s.findSummaries(
            "acme",
            summaries(
                Optional.empty(),
                Optional.empty(),
                Optional.of(Duration.ofMillis(850).toNanos()),
                20));
    ArchiveTraceSearch.Result<FoundSummary> all =
        s.findSummaries(
            "acme", summaries(Optional.empty(), Optional.empty(), Optional.empty(), 20));

    assertThat(failed.partial()).as(failed.partialReason().orElse("")).isFalse();
    assertThat(failed.items()).hasSize(1);
    FoundSummary f = failed.items().get(0);
    assertThat(f.traceId()).isEqualTo(checkoutError.traceId());
    assertThat(f.rootServiceName()).isEqualTo("frontend");
    assertThat(f.rootSpanName()).isEqualTo("GET /cart");
    assertThat(f.startEpochNanos()).isEqualTo(checkoutError.summary().startEpochNanos());
    assertThat(f.durationNanos()).isEqualTo(checkoutError.summary().durationNanos());
    assertThat(f.spanCount()).isEqualTo(2);
    assertThat(f.error()).isTrue();
    assertThat(f.services()).containsExactly("checkout", "frontend");
    assertThat(slow.items())
        .extracting(FoundSummary::traceId)
        .containsExactly(slowPayment.traceId());
    assertThat(all.items())
        .extracting(FoundSummary::traceId)
        .startsWith(laterCheckout.traceId())
        .containsExactlyInAnyOrder(
            laterCheckout.traceId(),
            checkoutError.traceId(),
            slowPayment.traceId(),
            withAttributes.traceId());
  }

  @Test
  void enoughTracesInNewerHours_olderHoursAreNotRead_andTheAnswerIsComplete() throws Exception {
    ArchiveTraceSearch.Result<TraceId> r =
        search(new ArchiveTraceSearch.Limits(1000, 512L << 20, Duration.ofSeconds(30), 1))
            .findTraceIds("acme", query("checkout").limit(1).build());

    assertThat(r.items()).containsExactly(laterCheckout.traceId());
    assertThat(r.partial()).isFalse();
    assertThat(r.stats().filesRead()).as("only the newer hour's file").isEqualTo(1);
  }

  @Test
  void theFileBound_givesAPartialAnswerOfTheNewestFiles() throws Exception {
    ArchiveTraceSearch.Result<TraceId> r =
        search(new ArchiveTraceSearch.Limits(1, 512L << 20, Duration.ofSeconds(30), 1))
            .findTraceIds("acme", query("checkout").build());

    assertThat(r.partial()).isTrue();
    assertThat(r.partialReason()).get().asString().contains("file limit of 1");
    assertThat(r.items()).containsExactly(laterCheckout.traceId());
    assertThat(r.stats().filesRead()).isEqualTo(1);
    assertThat(r.stats().filesNotRead()).isEqualTo(2);
  }

  @Test
  void theByteBound_givesAPartialAnswer() throws Exception {
    ArchiveTraceSearch.Result<TraceId> r =
        search(new ArchiveTraceSearch.Limits(1000, 1, Duration.ofSeconds(30), 1))
            .findTraceIds("acme", query("checkout").build());

    assertThat(r.partial()).isTrue();
    assertThat(r.partialReason()).get().asString().contains("byte limit of 1");
    assertThat(r.stats().filesRead()).isEqualTo(1);
  }

  @Test
  void theTimeBound_givesAPartialAnswer_notAFailure() throws Exception {
    // (the listing alone takes longer than a millisecond)
    ArchiveTraceSearch.Result<TraceId> r =
        search(new ArchiveTraceSearch.Limits(1000, 512L << 20, Duration.ofMillis(1), 1))
            .findTraceIds("acme", query("checkout").build());

    assertThat(r.partial()).isTrue();
    assertThat(r.partialReason()).get().asString().contains("time limit of 1 ms");
    assertThat(r.stats().filesNotRead()).isPositive();
  }

  @Test
  void anUnreadableFile_isCountedAndSkipped_theRestFound() throws Exception {
    // Given a tenant's hour holding a good file and one that is not Parquet
    String tenant = UniqueNames.unique("corrupt");
    AssembledTrace good =
        TraceBuilder.trace().tenant(tenant).root("frontend", "GET /ok", 10).build();
    write(good);
    LocalDateTime hour = ArchiveLayout.hourOf(good.summary().startEpochNanos());
    s3.putObject(
        p -> p.bucket(bucket).key(LAYOUT.fileKey(tenant, hour, 9, 0, 0)),
        RequestBody.fromString("not parquet at all, and rather short"));
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    ArchiveTraceSearch search =
        new ArchiveTraceSearch(s3, bucket, LAYOUT, ArchiveTraceSearch.Limits.DEFAULT, metrics);

    // When it is searched
    ArchiveTraceSearch.Result<TraceId> r = search.findTraceIds(tenant, query("frontend").build());

    // Then the good file's trace is found, the answer says it is partial and why
    assertThat(r.items()).containsExactly(good.traceId());
    assertThat(r.partial()).isTrue();
    assertThat(r.partialReason()).get().asString().contains("1 unreadable file(s) skipped");
    assertThat(r.stats().filesUnreadable()).isEqualTo(1);
    assertThat(metrics.counter("spanline.query.archive.search.unreadable.files").count())
        .isEqualTo(1.0);
  }

  @Test
  void linkConditionsAreRefused() {
    ArchiveTraceSearch s = search(ArchiveTraceSearch.Limits.DEFAULT);
    TraceQuery linked = query("").linkedTo(LinkTarget.trace(checkoutError.traceId())).build();

    assertThatThrownBy(() -> s.findTraceIds("acme", linked))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("link");
  }

  private static SummaryQuery summaries(
      Optional<String> service, Optional<Boolean> error, Optional<Long> minDuration, int limit) {
    return new SummaryQuery(
        service,
        Optional.empty(),
        error,
        minDuration,
        Optional.empty(),
        Map.of(),
        Optional.empty(),
        FROM,
        TO,
        limit);
  }

  /** One batch, one file per tenant and hour, as the archive sink writes a roll. */
  private static void write(AssembledTrace... traces) throws Exception {
    List<ArchiveWriter.Entry> batch = new ArrayList<>();
    for (AssembledTrace t : traces) {
      SampledTrace kept = ArchiveFixtures.kept(t, "baseline");
      batch.add(
          new ArchiveWriter.Entry() {
            @Override
            public String traceId() {
              return t.traceId().toHex();
            }

            @Override
            public String tenant() {
              return t.tenant();
            }

            @Override
            public LocalDateTime hour() {
              return ArchiveLayout.hourOf(t.summary().startEpochNanos());
            }

            @Override
            public SampledTrace read() {
              return kept;
            }
          });
    }
    long first = OFFSETS.getAndAdd(batch.size());
    writer.write(0, first, first + batch.size() - 1, batch, (b, r, t) -> {});
  }
}
