package io.spanline.schemas.codec.otlp;

import io.spanline.schemas.model.Resource;
import io.spanline.schemas.model.Span;
import java.util.Set;

/**
 * What a caller of {@link OtlpWireSplitter} decides for each span, from its {@link SpanFacts}. Only
 * spans judged {@link Verdict#rewrite()} are decoded into the model; every other span is copied as
 * bytes.
 */
public interface SpanPolicy {
  /** Attribute keys whose presence the scanner reports ({@link SpanFacts#watchedKey()}). */
  Set<String> watchedKeys();

  Verdict judge(SpanFacts facts);

  /**
   * Rewrites a span judged {@link Verdict#rewrite()}. Changes to its resource or scope are ignored;
   * resources are rewritten by {@link #rewriteResource}.
   */
  Span rewrite(Span span);

  /** Rewrites a resource that has a watched attribute key; the default keeps it. */
  default Resource rewriteResource(Resource resource) {
    return resource;
  }

  /** The decision for one span. */
  record Verdict(Kind kind, String reason) {
    private static final Verdict KEEP = new Verdict(Kind.KEEP, "");
    private static final Verdict REWRITE = new Verdict(Kind.REWRITE, "");
    private static final Verdict DROP = new Verdict(Kind.DROP, "");

    public enum Kind {
      /** Copy the span's bytes as they are. */
      KEEP,
      /** Decode the span, pass it through {@link SpanPolicy#rewrite}, encode the result. */
      REWRITE,
      /** Leave it out and report it as rejected, with a reason. */
      REJECT,
      /** Leave it out silently (counted apart), e.g. not head-sampled. */
      DROP
    }

    public static Verdict keep() {
      return KEEP;
    }

    public static Verdict rewrite() {
      return REWRITE;
    }

    public static Verdict drop() {
      return DROP;
    }

    /**
     * @param reason a short, stable label for metrics, e.g. {@code end_before_start}
     */
    public static Verdict reject(String reason) {
      return new Verdict(Kind.REJECT, reason);
    }
  }
}
