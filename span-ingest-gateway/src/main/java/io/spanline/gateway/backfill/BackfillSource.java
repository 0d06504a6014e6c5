package io.spanline.gateway.backfill;

import io.spanline.gateway.ingest.TraceIngestor;
import java.io.IOException;

/** Where a backfill reads export requests from: a file or a Kafka topic. */
interface BackfillSource extends AutoCloseable {

  /**
   * One export request.
   *
   * @param position where it was read, for messages ({@code FILE line 3}, {@code topic T partition
   *     P offset O})
   * @param tenant the tenant it carries (a record header), or null to use the default
   * @param body the request, OTLP protobuf or JSON
   * @param encoding which of the two
   */
  record Request(String position, String tenant, byte[] body, TraceIngestor.Encoding encoding) {}

  /**
   * The next request, or null at the end.
   *
   * @throws IOException if the source cannot be read, or is broken so that nothing after this point
   *     can be read (a message length past the end of a file); the message names the position
   */
  Request next() throws IOException;

  /** How much there is to read, in the source's units (bytes of a file, records of a topic). */
  long total();

  /** How much has been read, in the same units. */
  long done();

  @Override
  void close() throws IOException;
}
