package io.spanline.storage;

import java.util.Objects;

/**
 * One edge of the service dependency graph: spans of {@code child} whose parent span belongs to
 * {@code parent}.
 *
 * @param callCount how many such spans are stored (kept traffic)
 * @param estimatedCallCount the calls they stand for in all traffic: each span weighted by its
 *     trace's adjusted count (1 / the sampling probability it was kept with), so an edge of traces
 *     kept at 10 % counts ten times; spans stored without an adjusted count weigh 1
 */
public record Dependency(String parent, String child, long callCount, double estimatedCallCount) {
  public Dependency {
    Objects.requireNonNull(parent, "parent");
    Objects.requireNonNull(child, "child");
  }

  /** An edge whose calls were all kept (estimated = stored). */
  public Dependency(String parent, String child, long callCount) {
    this(parent, child, callCount, callCount);
  }
}
