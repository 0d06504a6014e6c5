/**
 * Spanline's immutable trace model: spans with their resource and scope, typed attribute values,
 * IDs, assembled traces and sampling decisions. No wire format is known here; codecs live in {@code
 * io.spanline.schemas.codec}. Timestamps are epoch nanoseconds.
 */
package io.spanline.schemas.model;
