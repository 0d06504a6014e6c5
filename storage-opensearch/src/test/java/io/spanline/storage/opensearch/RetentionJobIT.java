package io.spanline.storage.opensearch;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.localinfra.junit.LocalInfraExtension;
import io.spanline.localinfra.junit.UniqueNames;
import io.spanline.localinfra.opensearch.LocalOpenSearch;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.core5.http.HttpHost;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5Transport;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5TransportBuilder;

@ExtendWith(LocalInfraExtension.class)
class RetentionJobIT {
  private static final Clock NOON_22_NOV =
      Clock.fixed(Instant.parse("2026-11-22T12:00:00Z"), ZoneOffset.UTC);

  @Test
  void deletesDailyIndicesOlderThanTheRetention_andLeavesNewerAndForeignIndices(
      LocalOpenSearch node) throws Exception {
    try (ApacheHttpClient5Transport transport =
        ApacheHttpClient5TransportBuilder.builder(
                new HttpHost("http", "127.0.0.1", node.httpPort()))
            .build()) {
      OpenSearchClient client = new OpenSearchClient(transport);
      IndexLayout layout = new IndexLayout(UniqueNames.unique("ret"));
      IndexLayout other = new IndexLayout(UniqueNames.unique("ret"));
      // Given daily indices of several past days, another prefix's and an undated one
      List<String> expired =
          List.of(
              layout.spanIndex(day("2026-11-10")),
              layout.spanIndex(day("2026-11-15")),
              layout.fragmentIndex(day("2026-11-15")),
              layout.traceIndex(day("2026-11-01")));
      List<String> kept =
          List.of(
              layout.spanIndex(day("2026-11-16")),
              layout.spanIndex(day("2026-11-22")),
              layout.traceIndex(day("2026-11-21")),
              layout.fragmentIndex(day("2026-11-16")),
              other.spanIndex(day("2026-11-01")),
              layout.prefix() + "-spans-latest");
      for (String index : concat(expired, kept)) {
        client.indices().create(c -> c.index(index));
      }

      // When the job runs on 22 November with a retention of 7 days
      AtomicInteger counted = new AtomicInteger();
      RetentionJob job =
          new RetentionJob(client, layout, Duration.ofDays(7), NOON_22_NOV, counted::addAndGet);
      List<String> deleted = job.deleteExpired();

      // Then indices before 16 November are gone, the rest stay
      assertThat(job.firstDayKept()).isEqualTo(day("2026-11-16"));
      assertThat(deleted).containsExactlyInAnyOrderElementsOf(expired);
      assertThat(counted).hasValue(4);
      for (String index : expired) {
        assertThat(client.indices().exists(e -> e.index(index)).value()).as(index).isFalse();
      }
      for (String index : kept) {
        assertThat(client.indices().exists(e -> e.index(index)).value()).as(index).isTrue();
      }
      // and a second run finds nothing more to delete
      assertThat(job.deleteExpired()).isEmpty();
      for (String index : kept) {
        client.indices().delete(d -> d.index(index));
      }
    }
  }

  private static LocalDate day(String iso) {
    return LocalDate.parse(iso);
  }

  private static List<String> concat(List<String> a, List<String> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
  }
}
