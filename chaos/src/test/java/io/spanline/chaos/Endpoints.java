package io.spanline.chaos;

import java.net.URI;

/** Where a running pipeline takes spans and answers questions, for the load and the checks. */
interface Endpoints {
  /** The gateway's OTLP/HTTP traces endpoint. */
  String otlpHttpEndpoint();

  URI queryUri();

  String kafkaBootstrapServers();

  URI registryUri();

  URI s3Endpoint();
}
