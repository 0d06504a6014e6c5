package io.spanline.localinfra.junit;

import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.localinfra.opensearch.LocalOpenSearch;
import io.spanline.localinfra.registry.LocalSchemaRegistry;
import io.spanline.localinfra.s3.LocalS3;
import io.spanline.localinfra.tls.HttpsFront;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests real servers as parameters ({@link LocalKafka}, {@link LocalOpenSearch}, {@link
 * LocalS3}, {@link LocalSchemaRegistry}) in test, {@code @BeforeAll} and {@code @BeforeEach}
 * methods. Each server starts on first request, at most once per test JVM, on 127.0.0.1 and free
 * ports (the registry also on a secured HTTPS port with basic auth, {@link
 * LocalSchemaRegistry#securedUri()}), with data under {@code target/local-infra/}, and stops when
 * the whole test run ends. Tests share the servers, so each isolates itself with unique topic,
 * index and bucket names ({@link UniqueNames}).
 *
 * <pre>{@code
 * @ExtendWith(LocalInfraExtension.class)
 * class OrdersIT {
 *   @Test
 *   void roundTrip(LocalKafka kafka) { ... }
 * }
 * }</pre>
 */
public final class LocalInfraExtension implements ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(LocalInfraExtension.class);
  private static final Path RUN_DIR =
      Path.of("target", "local-infra", "run-" + ProcessHandle.current().pid());

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == LocalKafka.class
        || type == LocalOpenSearch.class
        || type == LocalS3.class
        || type == LocalSchemaRegistry.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    ExtensionContext.Store store = context.getRoot().getStore(NAMESPACE);
    if (type == LocalKafka.class) {
      return kafka(store);
    }
    if (type == LocalOpenSearch.class) {
      return shared(
          store,
          LocalOpenSearch.class,
          () -> LocalOpenSearch.start(RUN_DIR.resolve("opensearch"), 0, 0, "512m"));
    }
    if (type == LocalS3.class) {
      return shared(store, LocalS3.class, () -> LocalS3.startTransient(0));
    }
    if (type == LocalSchemaRegistry.class) {
      LocalKafka kafka = kafka(store);
      return shared(
          store,
          LocalSchemaRegistry.class,
          () ->
              LocalSchemaRegistry.startSecured(
                  kafka.bootstrapServers(),
                  LocalSchemaRegistry.DEFAULT_TOPIC,
                  0,
                  new HttpsFront.Options(
                      0,
                      kafka.secured().certificates(),
                      LocalKafka.SCRAM_USER,
                      kafka.secured().password(),
                      Optional.empty())));
    }
    throw new ParameterResolutionException("no local server of type " + type.getName());
  }

  private static LocalKafka kafka(ExtensionContext.Store store) {
    return shared(
        store, LocalKafka.class, () -> LocalKafka.startSecured(RUN_DIR.resolve("kafka"), 0, 0));
  }

  @FunctionalInterface
  private interface Starter<T> {
    T start() throws Exception;
  }

  /** One instance per JVM; the root store closes it (last started, first closed) at the end. */
  private static <T extends AutoCloseable> T shared(
      ExtensionContext.Store store, Class<T> type, Starter<T> starter) {
    synchronized (LocalInfraExtension.class) {
      // The run folder goes into the store first, so it is deleted after every server stopped.
      store.getOrComputeIfAbsent(RunFolder.class, k -> new RunFolder(RUN_DIR), RunFolder.class);
      return store.getOrComputeIfAbsent(type, k -> start(type, starter), type);
    }
  }

  private static <T> T start(Class<T> type, Starter<T> starter) {
    try {
      return starter.start();
    } catch (Exception e) {
      throw new ParameterResolutionException("cannot start " + type.getSimpleName(), e);
    }
  }

  /** Deletes the run's data folder when the test run ends. */
  private record RunFolder(Path dir) implements AutoCloseable {
    @Override
    public void close() throws IOException {
      if (!Files.exists(dir)) {
        return;
      }
      try (Stream<Path> paths = Files.walk(dir)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }
}
