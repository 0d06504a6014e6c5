package io.spanline.service.internal.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import co.elastic.logging.logback.EcsEncoder;
import io.spanline.service.logging.LogSettings;
import java.util.Map;

/**
 * Configures Logback for every Spanline process from {@link LogSettings} (environment and system
 * properties): one console appender on standard error (as slf4j-simple before it), text or ECS JSON
 * lines, per-logger levels. Logback finds it through {@code META-INF/services} before any {@code
 * logback.xml}, so each service's {@code main} does nothing for it; {@code
 * -Dlogback.configurationFile=...} still wins. Public because Logback instantiates it by class
 * name. A bad setting is reported on the configured logger (the defaults then apply), not thrown:
 * logging starts before any service code runs.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class LogbackConfigurator extends ContextAwareBase implements Configurator {
  /** Text lines: UTC timestamp, level, thread, logger, the MDC (tenant, trace ID), message. */
  static final String TEXT_PATTERN =
      "%d{yyyy-MM-dd'T'HH:mm:ss.SSS'Z',UTC} %-5level [%thread] %logger{36}"
          + "%replace( {%mdc}){' \\{\\}', ''} - %msg%n";

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty("logback.configurationFile") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY; // an operator's own Logback file
    }
    LogSettings settings;
    String problem = null;
    try {
      settings = LogSettings.current();
    } catch (IllegalArgumentException e) {
      problem = e.getMessage();
      settings = LogSettings.from(Map.of(), new java.util.Properties());
    }
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setName("console");
    console.setTarget("System.err");
    apply(context, settings, console);
    if (problem != null) {
      context.getLogger(LogbackConfigurator.class).error("{}; logging with the defaults", problem);
    }
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /**
   * Resets {@code context}, starts {@code appender} with the encoder of {@code settings} on the
   * root logger and sets the levels.
   */
  static void apply(
      LoggerContext context, LogSettings settings, OutputStreamAppender<ILoggingEvent> appender) {
    context.reset();
    Encoder<ILoggingEvent> encoder = settings.json() ? ecs(context) : text(context);
    appender.setContext(context);
    appender.setEncoder(encoder);
    appender.start();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.addAppender(appender);
    settings
        .levels()
        .forEach(
            (name, level) ->
                context
                    .getLogger(name.equals("root") ? Logger.ROOT_LOGGER_NAME : name)
                    .setLevel(Level.toLevel(level, Level.INFO)));
  }

  private static Encoder<ILoggingEvent> text(LoggerContext context) {
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(TEXT_PATTERN);
    encoder.start();
    return encoder;
  }

  private static Encoder<ILoggingEvent> ecs(LoggerContext context) {
    EcsEncoder encoder = new EcsEncoder();
    encoder.setContext(context);
    encoder.setIncludeOrigin(false);
    encoder.setStackTraceAsArray(false);
    encoder.start();
    return encoder;
  }
}
