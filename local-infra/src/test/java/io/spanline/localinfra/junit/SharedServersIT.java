package io.spanline.localinfra.junit;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.localinfra.kafka.LocalKafka;
import io.spanline.localinfra.registry.LocalSchemaRegistry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Two test classes asking for the same server get the one instance of this JVM. */
@ExtendWith(LocalInfraExtension.class)
class SharedServersIT {
  private static final List<Object> SEEN = new ArrayList<>();

  @Nested
  class FirstClass {
    @Test
    void recordsItsServers(LocalKafka kafka, LocalSchemaRegistry registry) {
      SEEN.add(kafka);
      SEEN.add(registry);
    }
  }

  @Nested
  class SecondClass {
    @Test
    void recordsItsServers(LocalKafka kafka, LocalSchemaRegistry registry) {
      SEEN.add(kafka);
      SEEN.add(registry);
    }
  }

  @AfterAll
  static void bothGotTheSameInstances() {
    assertThat(SEEN).hasSize(4);
    assertThat(SEEN.get(0)).isSameAs(SEEN.get(2));
    assertThat(SEEN.get(1)).isSameAs(SEEN.get(3));
    assertThat(((LocalKafka) SEEN.get(0)).dataDir().toString()).contains("target");
  }
}
