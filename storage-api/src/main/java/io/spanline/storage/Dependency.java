package io.spanline.storage;

import java.util.Objects;

/**
 * One edge of the service dependency graph: spans of {@code child} whose parent span belongs to
 * {@code parent}.
 *
 * @param callCount how many such spans
 */
public record Dependency(String parent, String child, long callCount) {
  public Dependency {
    Objects.requireNonNull(parent, "parent");
    Objects.requireNonNull(child, "child");
  }
}
