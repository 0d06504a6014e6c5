package io.spanline.gateway.ingest;

import io.spanline.gateway.config.RedactionRule;
import io.spanline.gateway.config.TenantLimits;
import io.spanline.schemas.codec.otlp.SpanFacts;
import io.spanline.schemas.codec.otlp.SpanPolicy;
import io.spanline.schemas.model.Attribute;
import io.spanline.schemas.model.Resource;
import io.spanline.schemas.model.Span;
import io.spanline.schemas.model.TraceId;
import io.spanline.schemas.model.TraceShedding;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The gateway's judgement of each span, from facts the wire scan gathers without decoding: reject a
 * span that ends before it starts or that starts outside the accepted window around now (a start
 * time far off would otherwise create an index per day it names, for every tenant), drop one whose
 * trace is not head-sampled (unless the trace is marked for debugging), and decode and rewrite only
 * a span that breaks a limit or carries an attribute key a redaction rule names — or every span of
 * a request the {@code spanline-debug} header marks, to add the debug attribute to it. Every other
 * span is copied to Kafka as the client sent it.
 */
final class IngestPolicy implements SpanPolicy {
  private final TenantLimits limits;
  private final Redactor redactor;
  private final HeadSampler sampler;
  private final Set<String> watched;
  private final long minStartNanos;
  private final long maxStartNanos;
  private final Set<TraceId> debugTraces;
  private final String markWith;
  private final int shedLevel;
  private final Set<TraceId> errorTraces;
  private int shedSpans;

  /**
   * @param minStartNanos earliest start time accepted, epoch nanoseconds
   * @param maxStartNanos latest start time accepted, epoch nanoseconds
   * @param debugTraces traces marked for debugging: kept whatever head sampling says
   * @param markWith when not null, every span is marked for debugging with this attribute (set to
   *     {@code true}) and kept whatever head sampling says: the request's header marked it
   */
  IngestPolicy(
      TenantLimits limits,
      List<RedactionRule> rules,
      Redactor redactor,
      HeadSampler sampler,
      long minStartNanos,
      long maxStartNanos,
      Set<TraceId> debugTraces,
      String markWith) {
    this(
        limits,
        rules,
        redactor,
        sampler,
        minStartNanos,
        maxStartNanos,
        debugTraces,
        markWith,
        0,
        Set.of());
  }

  /**
   * @param shedLevel the {@link LoadShedder} level (0 = none): traces it does not keep are dropped
   *     whole, unless marked for debugging or in {@code errorTraces}; the others it was applied to
   *     get the adjusted-count attribute
   * @param errorTraces traces of the request with an error span (found only while shedding)
   */
  IngestPolicy(
      TenantLimits limits,
      List<RedactionRule> rules,
      Redactor redactor,
      HeadSampler sampler,
      long minStartNanos,
      long maxStartNanos,
      Set<TraceId> debugTraces,
      String markWith,
      int shedLevel,
      Set<TraceId> errorTraces) {
    this.shedLevel = shedLevel;
    this.errorTraces = errorTraces;
    this.limits = limits;
    this.debugTraces = debugTraces;
    this.markWith = markWith;
    this.minStartNanos = minStartNanos;
    this.maxStartNanos = maxStartNanos;
    this.redactor = redactor;
    this.sampler = sampler;
    this.watched = rules.stream().map(RedactionRule::key).collect(Collectors.toUnmodifiableSet());
  }

  @Override
  public Set<String> watchedKeys() {
    return watched;
  }

  @Override
  public Verdict judge(SpanFacts f) {
    if (f.endEpochNanos() < f.startEpochNanos()) {
      return Verdict.reject("end_before_start");
    }
    if (f.startEpochNanos() < minStartNanos || f.startEpochNanos() > maxStartNanos) {
      return Verdict.reject("start_time_out_of_range");
    }
    boolean debug = markWith != null || debugTraces.contains(f.traceId());
    if (!debug && !sampler.keep(f.traceId())) {
      return Verdict.drop();
    }
    if (adjusted(f.traceId(), debug)) {
      if (!TraceShedding.keeps(f.traceId(), shedLevel)) {
        shedSpans++;
        return Verdict.drop();
      }
      return Verdict.rewrite(); // to carry the adjusted count
    }
    if (markWith != null
        || f.watchedKey()
        || f.attributes() > limits.maxAttributesPerSpan()
        || f.events() > limits.maxEventsPerSpan()
        || f.links() > limits.maxLinksPerSpan()
        || f.maxEventOrLinkAttributes() > limits.maxAttributesPerSpan()
        || f.maxValueBytes() > limits.maxAttributeValueBytes()) {
      return Verdict.rewrite();
    }
    return Verdict.keep();
  }

  /** Whether shedding applies to a trace: shedding on, not an error trace, not debug. */
  private boolean adjusted(TraceId traceId, boolean debug) {
    return shedLevel > 0 && !debug && !errorTraces.contains(traceId);
  }

  /** Spans dropped by shedding so far. */
  int shedSpans() {
    return shedSpans;
  }

  @Override
  public Span rewrite(Span span) {
    Span limited = SpanLimiter.apply(redactor.redact(span), limits);
    if (adjusted(span.traceId(), markWith != null || debugTraces.contains(span.traceId()))) {
      List<Attribute> attributes = new ArrayList<>(limited.attributes().size() + 1);
      for (Attribute a : limited.attributes()) {
        if (!a.key().equals(TraceShedding.ADJUSTED_COUNT_ATTRIBUTE)) {
          attributes.add(a);
        }
      }
      attributes.add(
          Attribute.of(
              TraceShedding.ADJUSTED_COUNT_ATTRIBUTE, TraceShedding.adjustedCount(shedLevel)));
      limited = limited.toBuilder().attributes(attributes).build();
    }
    if (markWith == null) {
      return limited;
    }
    List<Attribute> attributes = new ArrayList<>(limited.attributes().size() + 1);
    for (Attribute a : limited.attributes()) {
      if (!a.key().equals(markWith)) {
        attributes.add(a);
      }
    }
    attributes.add(Attribute.of(markWith, true));
    return limited.toBuilder().attributes(attributes).build();
  }

  @Override
  public Resource rewriteResource(Resource resource) {
    return redactor.redact(resource);
  }
}
