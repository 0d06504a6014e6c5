package io.spanline.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Protobuf and Avro types stay inside the codec packages. */
class CodecBoundaryTest {
  private static final List<String> WIRE_PACKAGES =
      List.of(
          "com.google.protobuf.",
          "io.opentelemetry.proto.",
          "org.apache.avro.",
          "io.spanline.avro.");
  private static final Path SOURCES = Path.of("src/main/java/io/spanline/schemas");

  @Test
  void onlyCodecSourcesImportWireTypes() throws IOException {
    List<String> offenders = new ArrayList<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        if (file.startsWith(SOURCES.resolve("codec"))) {
          continue;
        }
        for (String line : Files.readAllLines(file)) {
          if (line.startsWith("import ") && WIRE_PACKAGES.stream().anyMatch(line::contains)) {
            offenders.add(file + ": " + line);
          }
        }
      }
    }
    assertThat(offenders).isEmpty();
  }

  @Test
  void publicCodecMethodsSpeakOnlyBytesAndModel() throws Exception {
    List<String> leaks = new ArrayList<>();
    for (String name :
        List.of(
            "io.spanline.schemas.codec.otlp.OtlpProtoCodec",
            "io.spanline.schemas.codec.otlp.OtlpJsonCodec",
            "io.spanline.schemas.codec.otlp.OtlpTraceSplitter",
            "io.spanline.schemas.codec.otlp.TracePart",
            "io.spanline.schemas.codec.otlp.OtlpExportResponses",
            "io.spanline.schemas.codec.otlp.DecodedSpans",
            "io.spanline.schemas.codec.avro.AvroRecordCodec",
            "io.spanline.schemas.codec.avro.ConfluentAvroCodec")) {
      for (Method m : Class.forName(name).getDeclaredMethods()) {
        if (!Modifier.isPublic(m.getModifiers())) {
          continue;
        }
        List<Class<?>> types = new ArrayList<>(List.of(m.getParameterTypes()));
        types.add(m.getReturnType());
        for (Class<?> type : types) {
          if (WIRE_PACKAGES.stream().anyMatch(p -> type.getName().startsWith(p))) {
            leaks.add(name + "." + m.getName() + " uses " + type.getName());
          }
        }
      }
    }
    assertThat(leaks).isEmpty();
  }
}
