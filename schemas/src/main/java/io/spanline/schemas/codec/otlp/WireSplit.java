package io.spanline.schemas.codec.otlp;

import java.util.List;

/**
 * The result of {@link OtlpWireSplitter#split}: one or more parts per trace, each under the byte
 * limit (but a lone span larger than it), and what was left out.
 *
 * @param parts the parts, traces in order of first appearance
 * @param rejections spans left out as invalid, with reasons
 * @param keptSpans spans in the parts
 * @param droppedSpans spans the policy dropped silently (e.g. head sampling)
 */
public record WireSplit(
    List<TracePart> parts, List<SpanRejection> rejections, int keptSpans, int droppedSpans) {
  public WireSplit {
    parts = List.copyOf(parts);
    rejections = List.copyOf(rejections);
  }
}
