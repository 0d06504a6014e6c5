package io.spanline.gateway.admin;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.annotation.Get;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The admin port: {@code /healthz} (the process serves), {@code /readyz} (Kafka answers, so spans
 * can be accepted) and {@code /metrics} (Prometheus text format).
 */
public final class AdminService {
  private final KafkaReadiness kafka;
  private final PrometheusMeterRegistry metrics;

  public AdminService(KafkaReadiness kafka, PrometheusMeterRegistry metrics) {
    this.kafka = kafka;
    this.metrics = metrics;
  }

  @Get("/healthz")
  public HttpResponse healthz() {
    return HttpResponse.of(HttpStatus.OK, MediaType.PLAIN_TEXT_UTF_8, "ok\n");
  }

  @Get("/readyz")
  public HttpResponse readyz() {
    return kafka.ready()
        ? HttpResponse.of(HttpStatus.OK, MediaType.PLAIN_TEXT_UTF_8, "ready\n")
        : HttpResponse.of(
            HttpStatus.SERVICE_UNAVAILABLE, MediaType.PLAIN_TEXT_UTF_8, kafka.lastProblem() + "\n");
  }

  @Get("/metrics")
  public HttpResponse metrics() {
    return HttpResponse.of(
        HttpStatus.OK,
        MediaType.parse("text/plain; version=0.0.4; charset=utf-8"),
        metrics.scrape());
  }
}
