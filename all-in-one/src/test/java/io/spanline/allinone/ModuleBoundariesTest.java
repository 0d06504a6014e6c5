package io.spanline.allinone;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rules over the compiled main classes of every module (all-in-one's classpath holds them all):
 * wire types stay in the codec and storage packages, and the query service reads the stores only
 * through the storage modules.
 */
class ModuleBoundariesTest {
  private static JavaClasses main;

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
}
