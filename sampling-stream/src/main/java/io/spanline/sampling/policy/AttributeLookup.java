package io.spanline.sampling.policy;

import io.spanline.schemas.model.AnyValue;
import io.spanline.schemas.model.AssembledTrace;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.Resource;
import io.spanline.schemas.model.Span;
import java.util.List;
import java.util.function.Predicate;

/** Finds an attribute by key on any span of a trace or on the span's resource. */
final class AttributeLookup {
  private AttributeLookup() {}

  /** True when any resource or span attribute named {@code key} satisfies {@code test}. */
  static boolean anyResourceOrSpan(AssembledTrace trace, String key, Predicate<AnyValue> test) {
    Resource lastResource = null;
    for (Span s : trace.spans()) {
      if (s.resource() != lastResource) {
        lastResource = s.resource();
        if (matches(lastResource.attributes(), key, test)) {
          return true;
        }
      }
      if (matches(s.attributes(), key, test)) {
        return true;
      }
    }
    return false;
  }

  private static boolean matches(List<Attribute> attributes, String key, Predicate<AnyValue> test) {
    for (Attribute a : attributes) {
      if (a.key().equals(key) && test.test(a.value())) {
        return true;
      }
    }
    return false;
  }
}
