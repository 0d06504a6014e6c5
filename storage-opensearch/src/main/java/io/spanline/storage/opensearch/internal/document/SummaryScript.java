package io.spanline.storage.opensearch.internal.document;

/**
 * The Painless script that merges one fragment into a trace summary document, used as a scripted
 * upsert (so the first fragment creates the document). It keeps the list of fragments merged so
 * far: a fragment already in it is a no-op, which makes replays and retries idempotent and lets
 * fragments arrive in any order. Start is the minimum and end the maximum over fragments; span
 * counts add up; error is any; services and sampling policies are unions; the root is a span
 * without parent when any fragment has one (else the earliest span).
 *
 * <p>Parameters: {@code tenant}, {@code traceId}, {@code fragment}, {@code start} and {@code end}
 * (epoch nanoseconds), {@code spanCount}, {@code error}, {@code services}, {@code policies}, {@code
 * probability}, {@code rootFound}, {@code rootService}, {@code rootName}, {@code rootStart}.
 *
 * <p>It is stored in OpenSearch under {@link #id(String)} at start-up and referenced by ID from
 * each update, so bulk requests do not carry its source. The ID carries a version: change {@link
 * #VERSION} with the source, so instances of two versions never overwrite each other's script.
 */
public final class SummaryScript {
  private SummaryScript() {}

  /** Version of {@link #SOURCE}, part of the stored script's ID. */
  public static final int VERSION = 1;

  /** {@code <prefix>-summary-merge-v<VERSION>}. */
  public static String id(String indexPrefix) {
    return indexPrefix + "-summary-merge-v" + VERSION;
  }

  public static final String SOURCE =
      """
      def s = ctx._source;
      if (s.fragments == null) { s.fragments = new ArrayList(); }
      if (s.fragments.contains(params.fragment)) { ctx.op = 'none'; return; }
      s.fragments.add(params.fragment);
      s.tenant = params.tenant;
      s.traceId = params.traceId;
      boolean hadRoot = s.rootFound == true;
      if (s.rootService == null
          || (params.rootFound && !hadRoot)
          || (params.rootFound == hadRoot && params.rootStart < s.rootStartTimeUnixNano)) {
        s.rootService = params.rootService;
        s.rootName = params.rootName;
        s.rootFound = params.rootFound;
        s.rootStartTimeUnixNano = params.rootStart;
      }
      if (s.startTimeUnixNano == null || params.start < s.startTimeUnixNano) {
        s.startTimeUnixNano = params.start;
      }
      if (s.endTimeUnixNano == null || params.end > s.endTimeUnixNano) {
        s.endTimeUnixNano = params.end;
      }
      s.startTime = s.startTimeUnixNano / 1000000L;
      s.durationNanos = s.endTimeUnixNano - s.startTimeUnixNano;
      s.spanCount = (s.spanCount == null ? 0 : s.spanCount) + params.spanCount;
      s.error = s.error == true || params.error;
      if (s.services == null) { s.services = new ArrayList(); }
      for (def x : params.services) { if (!s.services.contains(x)) { s.services.add(x); } }
      if (s.samplingPolicies == null) { s.samplingPolicies = new ArrayList(); }
      for (def x : params.policies) {
        if (!s.samplingPolicies.contains(x)) { s.samplingPolicies.add(x); }
      }
      if (s.samplingProbability == null || params.fragment == 0) {
        s.samplingProbability = params.probability;
        s.adjustedCount = params.probability == 0 ? 0 : 1.0 / params.probability;
      }
      """;
}
