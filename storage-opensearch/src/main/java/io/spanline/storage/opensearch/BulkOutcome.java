package io.spanline.storage.opensearch;

import java.util.List;

/**
 * What is left after one pass of {@link TraceIndexWriter#index}: actions to send again, and actions
 * refused for good.
 *
 * @param <O> what each action came from
 */
public record BulkOutcome<O>(List<PendingAction<O>> retry, List<BulkRejection<O>> rejected) {}
