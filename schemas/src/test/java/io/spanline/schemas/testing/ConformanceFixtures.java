package io.spanline.schemas.testing;

import io.spanline.schemas.codec.otlp.OtlpJsonCodec;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.TraceId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The shared conformance suites beside the repository ({@code ../shared/conformance}); the build
 * passes their location as the system property {@code spanline.conformance.dir}. A missing folder
 * fails the test rather than skipping it.
 */
public final class ConformanceFixtures {
  private ConformanceFixtures() {}

  public static Path root() {
    String dir = System.getProperty("spanline.conformance.dir");
    if (dir == null) {
      throw new IllegalStateException("system property spanline.conformance.dir is not set");
    }
    Path root = Path.of(dir);
    if (!Files.isDirectory(root)) {
      throw new IllegalStateException("conformance fixtures not found at " + root.toAbsolutePath());
    }
    return root;
  }

  /** The 32 OTLP/JSON trace files of Jaeger's storage fixtures, sorted by name. */
  public static List<Path> jaegerTraceFiles() {
    try (Stream<Path> files = Files.list(root().resolve("jaeger-storage-fixtures/traces"))) {
      return files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The traces of one fixture file, each as an {@link AssembledTrace} of the given tenant. */
  public static List<AssembledTrace> assembledTraces(Path fixture, String tenant, int fragment) {
    Map<TraceId, List<Span>> traces = new LinkedHashMap<>();
    try {
      for (Span s : OtlpJsonCodec.decode(Files.readAllBytes(fixture))) {
        traces.computeIfAbsent(s.traceId(), k -> new ArrayList<>()).add(s);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<AssembledTrace> out = new ArrayList<>();
    traces.forEach((id, spans) -> out.add(AssembledTrace.of(tenant, id, fragment, spans)));
    return out;
  }
}
