package dev.protocollab.stream.broadcast;

/**
 * One event of a topic, as every subscriber receives it. The data is serialised to JSON once, when the
 * event is published, not once per subscriber: with thousands of subscribers that is most of the work.
 *
 * @param sequence increases by one per event of the topic on this instance
 * @param id the event's id across instances: the CloudEvent id for orders, the window start for metrics
 * @param payload the typed data (mapped to protobuf for gRPC)
 * @param json the same data as JSON (SSE and WebSocket)
 */
public record StreamEvent(Topic topic, long sequence, String id, Object payload, String json) {}
