package io.spanline.query.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.spanline.service.tenancy.TenantLimitsFile;
import io.spanline.service.tenancy.TenantResolver;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class TenantQueryLimitsTest {
  private final AtomicReference<TenantLimitsFile> file =
      new AtomicReference<>(
          TenantLimitsFile.parse(
              "overrides:\n  acme:\n    query-concurrency: 2\n    query-max-results: 7\n"));
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<Integer> capped = new CopyOnWriteArrayList<>();

  /**
   * Answers 200 at once and records {@code capResults(100)}; the request holds its permit until its
   * log completes ({@link #finish}), as a real request does until it is answered.
   */
  private final HttpService answering =
      (ctx, req) -> {
        capped.add(TenantQueryLimits.capResults(100));
        return HttpResponse.of(HttpStatus.OK);
      };

  private final HttpService limited =
      new TenantQueryLimits(
              new RequestTenants(new TenantResolver(false, Map.of())), file::get, registry)
          .decorator()
          .apply(answering);

  private ServiceRequestContext request(String tenant, String path) {
    HttpRequest req =
        HttpRequest.of(
            RequestHeaders.builder(HttpMethod.GET, path).add("X-Scope-OrgID", tenant).build());
    return ServiceRequestContext.of(req);
  }

  private AggregatedHttpResponse serve(ServiceRequestContext ctx) throws Exception {
    try (var ignored = ctx.push()) {
      return limited.serve(ctx, ctx.request()).aggregate().join();
    }
  }

  /**
   * Completes the request's log. Armeria completes the log's futures on the request's event loop,
   * so the permit is released there: a task queued on that loop behind the completion runs only
   * once the release has happened.
   */
  private static void finish(ServiceRequestContext ctx) throws Exception {
    ctx.logBuilder().endRequest();
    ctx.logBuilder().endResponse();
    ctx.log().whenComplete().get(10, TimeUnit.SECONDS);
    ctx.eventLoop().submit(() -> {}).get(10, TimeUnit.SECONDS);
  }

  @Test
  void aTenantOverItsConcurrency_gets429_untilARequestFinishes_andOthersAreNotLimited()
      throws Exception {
    ServiceRequestContext first = request("acme", "/v1/traces/search");
    ServiceRequestContext second = request("acme", "/api/search");
    assertThat(serve(first).status()).isEqualTo(HttpStatus.OK);
    assertThat(serve(second).status()).isEqualTo(HttpStatus.OK);

    AggregatedHttpResponse third = serve(request("acme", "/jaeger/api/traces"));
    assertThat(third.status()).isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
    assertThat(third.contentUtf8()).contains("query-concurrency");
    assertThat(serve(request("globex", "/v1/traces/search")).status()).isEqualTo(HttpStatus.OK);
    assertThat(serve(request("acme", "/index.html")).status())
        .as("the web UI's files are not limited")
        .isEqualTo(HttpStatus.OK);

    finish(first);
    ServiceRequestContext fourth = request("acme", "/v1/traces/search");
    assertThat(serve(fourth).status()).isEqualTo(HttpStatus.OK);
    assertThat(
            registry.get("spanline.query.requests.refused").tag("tenant", "acme").counter().count())
        .isEqualTo(1);
  }

  @Test
  void resultsAreCappedToTheTenantsLimit_andAReloadAppliesToTheNextRequest() throws Exception {
    serve(request("acme", "/v1/traces/search"));
    serve(request("globex", "/v1/traces/search"));
    file.set(TenantLimitsFile.parse("defaults:\n  query-max-results: 50\n"));
    serve(request("acme", "/v1/traces/search"));

    assertThat(capped).containsExactly(7, 100, 50);
    assertThat(TenantQueryLimits.capResults(100)).as("outside a request").isEqualTo(100);
  }
}
