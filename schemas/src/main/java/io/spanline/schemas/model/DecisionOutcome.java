package io.spanline.schemas.model;

/** What tail sampling decided for a trace. */
public enum DecisionOutcome {
  KEEP,
  DROP
}
