/**
 * Codecs between Spanline's model and its wire formats: OTLP protobuf and OTLP/JSON ({@code
 * codec.otlp}) and Avro in the Confluent wire format ({@code codec.avro}). Protobuf and Avro
 * classes are used only inside these packages; their public API speaks bytes and model types.
 */
package io.spanline.schemas.codec;
