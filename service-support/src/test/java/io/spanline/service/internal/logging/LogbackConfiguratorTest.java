package io.spanline.service.internal.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spanline.service.logging.LogContext;
import io.spanline.service.logging.LogSettings;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.MDC;

class LogbackConfiguratorTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  private LoggerContext context(Map<String, String> env, Properties props) {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(MDC.getMDCAdapter());
    OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
    appender.setOutputStream(out);
    LogbackConfigurator.apply(context, LogSettings.from(env, props), appender);
    return context;
  }

  private List<String> lines() {
    return out.toString(StandardCharsets.UTF_8).lines().toList();
  }

  @Test
  void jsonFormat_writesOneEcsObjectPerLine_withTenantAndTraceIdFromMdc() throws Exception {
    LoggerContext context = context(Map.of("SPANLINE_LOG_FORMAT", "json"), new Properties());
    Logger log = context.getLogger("io.spanline.gateway.Test");

    try (LogContext ignored = LogContext.of("acme", TRACE)) {
      log.warn("refused: {}", "rate limited\nsecond line");
    }
    log.info("after the scope");

    List<String> lines = lines();
    assertThat(lines).hasSize(2);
    JsonNode first = JSON.readTree(lines.get(0));
    assertThat(first.path("@timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    assertThat(first.path("log.level").asText()).isEqualTo("WARN");
    assertThat(first.path("log.logger").asText()).isEqualTo("io.spanline.gateway.Test");
    assertThat(first.path("message").asText()).isEqualTo("refused: rate limited\nsecond line");
    assertThat(first.path("tenant").asText()).isEqualTo("acme");
    assertThat(first.path("trace.id").asText()).isEqualTo(TRACE);
    JsonNode second = JSON.readTree(lines.get(1));
    assertThat(second.has("tenant")).isFalse();
    assertThat(second.has("trace.id")).isFalse();
  }

  @Test
  void textFormat_isTheDefault_withTimestampAndMdc() {
    LoggerContext context = context(Map.of(), new Properties());
    Logger log = context.getLogger("io.spanline.query.Test");

    try (LogContext ignored = LogContext.of("acme", null)) {
      log.warn("query failed");
    }
    log.info("plain");

    List<String> lines = lines();
    assertThat(lines.get(0))
        .matches(
            "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z WARN  \\[.*\\]"
                + " io\\.spanline\\.query\\.Test \\{tenant=acme\\} - query failed");
    assertThat(lines.get(1)).endsWith("io.spanline.query.Test - plain");
  }

  @Test
  void perLoggerLevels_applyOverTheDefaults_propertiesOverEnvironment() {
    Properties props = new Properties();
    props.setProperty("spanline.log.levels", "io.spanline.sampling=error");
    LoggerContext context =
        context(
            Map.of("SPANLINE_LOG_LEVELS", "org.apache.kafka=error, io.spanline=debug,root=warn"),
            props);

    context.getLogger("org.apache.kafka.clients.Consumer").warn("kafka warn");
    context.getLogger("org.apache.kafka.clients.Consumer").error("kafka error");
    context.getLogger("io.spanline.gateway.X").debug("gateway debug");
    context.getLogger("io.spanline.sampling.X").warn("sampling warn");
    context.getLogger("com.example.Other").info("other info");
    context.getLogger("org.apache.parquet.X").info("parquet info");

    assertThat(String.join("\n", lines()))
        .contains("kafka error", "gateway debug")
        .doesNotContain("kafka warn", "sampling warn", "other info", "parquet info");
  }

  @Test
  void librariesAreQuietByDefault() {
    LoggerContext context = context(Map.of(), new Properties());

    context.getLogger("org.apache.kafka.clients.producer.ProducerConfig").info("config values");
    context.getLogger("com.linecorp.armeria.server.Server").info("serving");
    context.getLogger("io.spanline.index.IndexSinkApp").info("started");

    assertThat(lines()).hasSize(1);
    assertThat(lines().get(0)).endsWith("started");
  }

  @Test
  void badSettings_nameTheSettingAndTheValue() {
    assertThatThrownBy(
            () -> LogSettings.from(Map.of("SPANLINE_LOG_FORMAT", "xml"), new Properties()))
        .hasMessageContaining("SPANLINE_LOG_FORMAT=xml");
    Properties props = new Properties();
    props.setProperty("spanline.log.levels", "io.spanline=loud");
    assertThatThrownBy(() -> LogSettings.from(Map.of(), props))
        .hasMessageContaining("spanline.log.levels=io.spanline=loud");
  }
}
