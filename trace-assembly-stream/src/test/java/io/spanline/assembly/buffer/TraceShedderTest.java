package io.spanline.assembly.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanline.assembly.config.ShedSettings;
import io.spanline.assembly.metrics.AssemblyMetrics;
import io.spanline.service.tenancy.TenantLimitsFile;
import org.junit.jupiter.api.Test;

class TraceShedderTest {
  private final AssemblyMetrics metrics = AssemblyMetrics.detached();
  private final OpenTraceBounds bounds = new OpenTraceBounds(100, 1 << 20, metrics);
  private final TenantBounds tenants =
      new TenantBounds(
          () -> TenantLimitsFile.parse("overrides:\n  acme:\n    max-open-traces: 10\n"),
          bounds.tasks());

  @Test
  void levelsFollowTheFill_ofTheInstanceAndOfATenantsOwnBound() {
    TraceShedder shedder = new TraceShedder(new ShedSettings(true, 0.5, "d"), bounds, tenants);
    bounds.taskStarted();
    metrics.opened(40, 1000);
    assertThat(shedder.instanceLevel(40, 1000)).isZero();
    assertThat(shedder.describe()).isEmpty();

    metrics.opened(40, 0); // 80 of 100
    tenants.add("acme", 9, 100); // 9 of 10
    assertThat(shedder.instanceLevel(80, 1000)).isEqualTo(2);
    assertThat(shedder.instanceLevel(30, 1000))
        .as("a task under the fraction of its share sheds nothing")
        .isZero();
    assertThat(shedder.tenantLevel("acme", 9, 100)).isEqualTo(3);
    assertThat(shedder.tenantLevel("other", 50, 100)).as("no bound of its own").isZero();
    assertThat(shedder.describe())
        .isEqualTo(
            "shedding: keeping 1/4 of new traces (and every trace with an error span or a debug"
                + " mark); 80 of 100 open traces, 1000 of 1048576 buffered bytes; tenant acme"
                + " keeping 1/8 of new traces (90 % of its max-open-traces or"
                + " max-buffered-bytes)");
  }

  @Test
  void off_shedsNothing_andDescribesNothing() {
    TraceShedder shedder = new TraceShedder(ShedSettings.off(), bounds, tenants);
    bounds.taskStarted();
    metrics.opened(100, 1000);
    tenants.add("acme", 10, 100);
    assertThat(shedder.instanceLevel(100, 1000)).isZero();
    assertThat(shedder.tenantLevel("acme", 10, 100)).isZero();
    assertThat(shedder.describe()).isEmpty();
  }
}
