package io.spanline.allinone;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rules over the compiled main classes of every module (all-in-one's classpath holds them all;
 * {@code bench} is built after all-in-one and is not among them): wire types stay in the codec and
 * storage packages, the query service reads the stores only through the storage modules, and a
 * module uses another only through that module's API packages.
 */
class ModuleBoundariesTest {
  private static JavaClasses main;

  /**
   * Each module, by its root package, and the packages of it that other modules may use: its API
   * (each module's README, "Public API"). Every other package of a module is internal to it, and so
   * is any {@code ..internal..} package whatever this map says. A package belongs to the module
   * with the longest root that contains it ({@code io.spanline.storage.opensearch.internal.write}
   * to storage-opensearch, not storage-api). Classes under no root here (the generated {@code
   * io.spanline.avro}) are left to the wire-type rule.
   */
  static final Map<String, List<String>> API_PACKAGES =
      Map.ofEntries(
          // schemas
          Map.entry(
              "io.spanline.schemas",
              List.of(
                  "io.spanline.schemas.model",
                  "io.spanline.schemas.codec",
                  "io.spanline.schemas.codec.avro",
                  "io.spanline.schemas.codec.otlp",
                  "io.spanline.schemas.codec.tempo",
                  "io.spanline.schemas.registry",
                  "io.spanline.schemas.serde",
                  "io.spanline.schemas.topic")),
          // service-support
          Map.entry(
              "io.spanline.service",
              List.of(
                  "io.spanline.service.admin",
                  "io.spanline.service.config",
                  "io.spanline.service.consumer",
                  "io.spanline.service.logging",
                  "io.spanline.service.process",
                  "io.spanline.service.retention",
                  "io.spanline.service.streams",
                  "io.spanline.service.tenancy",
                  "io.spanline.service.tls")),
          // storage-api
          Map.entry("io.spanline.storage", List.of("io.spanline.storage")),
          // storage-opensearch
          Map.entry("io.spanline.storage.opensearch", List.of("io.spanline.storage.opensearch")),
          // storage-archive
          Map.entry("io.spanline.storage.archive", List.of("io.spanline.storage.archive")),
          // span-ingest-gateway
          Map.entry(
              "io.spanline.gateway", List.of("io.spanline.gateway", "io.spanline.gateway.config")),
          // trace-assembly-stream
          Map.entry(
              "io.spanline.assembly",
              List.of(
                  "io.spanline.assembly",
                  "io.spanline.assembly.config",
                  "io.spanline.assembly.metrics")),
          // sampling-stream
          Map.entry(
              "io.spanline.sampling",
              List.of(
                  "io.spanline.sampling",
                  "io.spanline.sampling.config",
                  "io.spanline.sampling.metrics")),
          // index-sink
          Map.entry(
              "io.spanline.index",
              List.of(
                  "io.spanline.index", "io.spanline.index.config", "io.spanline.index.metrics")),
          // archive-sink
          Map.entry(
              "io.spanline.archive",
              List.of(
                  "io.spanline.archive",
                  "io.spanline.archive.config",
                  "io.spanline.archive.metrics")),
          // query-service
          Map.entry("io.spanline.query", List.of("io.spanline.query", "io.spanline.query.config")),
          // local-infra (with local-infra/opensearch-node)
          Map.entry(
              "io.spanline.localinfra",
              List.of(
                  "io.spanline.localinfra",
                  "io.spanline.localinfra.junit",
                  "io.spanline.localinfra.kafka",
                  "io.spanline.localinfra.opensearch",
                  "io.spanline.localinfra.registry",
                  "io.spanline.localinfra.s3",
                  "io.spanline.localinfra.tls")),
          // all-in-one
          Map.entry("io.spanline.allinone", List.of("io.spanline.allinone")),
          // bench: nothing uses it
          Map.entry("io.spanline.bench", List.of()));

  /** The root of the module {@code packageName} belongs to, or null if under none. */
  static String moduleOf(String packageName) {
    return API_PACKAGES.keySet().stream()
        .filter(root -> packageName.equals(root) || packageName.startsWith(root + "."))
        .max(Comparator.comparingInt(String::length))
        .orElse(null);
  }

  /**
   * Spanline's own main classes: its modules' jars and class folders, not the libraries (read only
   * as the targets of dependencies) and not test classes or test-jars (tests may build wire types
   * to check answers).
   */
  private static final ImportOption MAIN_ONLY =
      new ImportOption() {
        @Override
        public boolean includes(Location location) {
          boolean spanline =
              location.contains("/spanline-") || location.contains("/target/classes");
          return spanline
              && ImportOption.Predefined.DO_NOT_INCLUDE_TESTS.includes(location)
              && !location.contains("-tests.jar");
        }
      };

  @BeforeAll
  static void importClasses() {
    main = new ClassFileImporter().withImportOption(MAIN_ONLY).importPackages("io.spanline");
  }

  @Test
  void wireTypes_protobufAvroAndParquet_stayInCodecAndStoragePackages() {
    noClasses()
        .that()
        .resideOutsideOfPackages(
            "..codec..",
            "io.spanline.storage..",
            // generated Avro classes
            "io.spanline.avro..",
            // the local schema registry stores Avro schemas: test and demo infrastructure
            "io.spanline.localinfra..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "com.google.protobuf..",
            "com.google.rpc..",
            "io.opentelemetry.proto..",
            "org.apache.avro..",
            "io.spanline.avro..",
            "org.apache.parquet..")
        .because("bytes are the codecs' business (schemas/README.md)")
        .check(main);
  }

  @Test
  void theQueryService_readsThroughTheStorageModules_neverASink() {
    noClasses()
        .that()
        .resideInAPackage("io.spanline.query..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.spanline.index..", "io.spanline.archive..")
        .check(main);
  }

  @Test
  void theSinks_doNotReadEachOther() {
    noClasses()
        .that()
        .resideInAPackage("io.spanline.index..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.spanline.archive..")
        .check(main);
    noClasses()
        .that()
        .resideInAPackage("io.spanline.archive..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.spanline.index..")
        .check(main);
  }

  @Test
  void theStorageModules_knowNoKafka() {
    noClasses()
        .that()
        .resideInAPackage("io.spanline.storage..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.apache.kafka..")
        .check(main);
  }

  @Test
  void concreteClasses_areFinal_unlessSomethingExtendsThem() {
    classes()
        .that()
        .areNotInterfaces()
        .and()
        .areNotEnums()
        .and()
        .areNotAnonymousClasses()
        .and()
        .doNotHaveModifier(JavaModifier.ABSTRACT)
        .and()
        .resideOutsideOfPackage("io.spanline.avro..") // generated
        .should(
            new ArchCondition<JavaClass>("be final or be extended") {
              @Override
              public void check(JavaClass c, ConditionEvents events) {
                if (!c.getModifiers().contains(JavaModifier.FINAL) && c.getSubclasses().isEmpty()) {
                  events.add(
                      SimpleConditionEvent.violated(
                          c, c.getName() + " is neither final nor extended by any class"));
                }
              }
            })
        .because("a class is open for extension only when the design says so (STYLE.md)")
        .check(main);
  }

  @Test
  void aModule_usesAnotherOnlyThroughItsApiPackages() {
    classes()
        .that()
        .resideInAPackage("io.spanline..")
        .should(
            new ArchCondition<JavaClass>("use other modules only through their API packages") {
              @Override
              public void check(JavaClass c, ConditionEvents events) {
                String from = moduleOf(c.getPackageName());
                for (Dependency d : c.getDirectDependenciesFromSelf()) {
                  String target = d.getTargetClass().getBaseComponentType().getPackageName();
                  String to = moduleOf(target);
                  if (from == null || to == null || to.equals(from)) {
                    continue;
                  }
                  if ((target + ".").contains(".internal.")) {
                    events.add(
                        SimpleConditionEvent.violated(
                            d, d.getDescription() + ": an ..internal.. package is never API"));
                  } else if (!API_PACKAGES.get(to).contains(target)) {
                    events.add(
                        SimpleConditionEvent.violated(
                            d,
                            d.getDescription()
                                + ": "
                                + target
                                + " is internal to its module (API_PACKAGES of "
                                + to
                                + ": "
                                + API_PACKAGES.get(to)
                                + ")"));
                  }
                }
              }
            })
        .because("a module's API is its declared packages, the rest may change (STYLE.md)")
        .check(main);
  }

  /**
   * The library modules other modules build on: each of their packages is API (declared in {@link
   * #API_PACKAGES}) or internal, none is in between (an app module's other packages are its own
   * business: nothing else may use them anyway).
   */
  static final List<String> LIBRARY_MODULES =
      List.of(
          "io.spanline.schemas",
          "io.spanline.service",
          "io.spanline.storage",
          "io.spanline.storage.opensearch",
          "io.spanline.storage.archive");

  @Test
  void aLibraryModulesPackage_isApiOrInternal() {
    classes()
        .that()
        .resideInAPackage("io.spanline..")
        .should(
            new ArchCondition<JavaClass>("reside in an API or an ..internal.. package") {
              @Override
              public void check(JavaClass c, ConditionEvents events) {
                String p = c.getPackageName();
                String module = moduleOf(p);
                if (module == null
                    || !LIBRARY_MODULES.contains(module)
                    || (p + ".").contains(".internal.")
                    || API_PACKAGES.get(module).contains(p)) {
                  return;
                }
                events.add(
                    SimpleConditionEvent.violated(
                        c,
                        c.getName()
                            + " is in "
                            + p
                            + ", neither an API package of "
                            + module
                            + " nor under ..internal.."));
              }
            })
        .because("a library module exposes a small API and keeps the rest internal (STYLE.md)")
        .check(main);
  }

  @Test
  void everyDeclaredApiPackage_existsInItsModule() {
    API_PACKAGES.forEach(
        (root, packages) -> {
          for (String p : packages) {
            assertThat(p + ".").as("an API package").doesNotContain(".internal.");
            assertThat(moduleOf(p)).as("module of %s", p).isEqualTo(root);
            assertThat(main.containPackage(p)).as("%s has main classes", p).isTrue();
          }
        });
  }
}
