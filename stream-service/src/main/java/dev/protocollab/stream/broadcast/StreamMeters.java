package dev.protocollab.stream.broadcast;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import org.springframework.stereotype.Component;

/** Counters shared by every subscriber; registered once, so adding a subscriber costs no meter lookup. */
@Component
public class StreamMeters {

    private final Map<Transport, Map<Topic, Counter>> dropped = new EnumMap<>(Transport.class);

    StreamMeters(MeterRegistry registry) {
        for (Transport transport : Transport.values()) {
            Map<Topic, Counter> byTopic = new EnumMap<>(Topic.class);
            for (Topic topic : Topic.values()) {
                byTopic.put(
                        topic,
                        Counter.builder("stream.events.dropped")
                                .description("Events dropped for subscribers that did not keep up (slow-consumer"
                                        + " policy: drop oldest, then a gap marker)")
                                .tag("transport", transport.tag())
                                .tag("topic", topic.wireName())
                                .register(registry));
            }
            dropped.put(transport, byTopic);
        }
    }

    void dropped(Transport transport, Topic topic) {
        dropped.get(transport).get(topic).increment();
    }
}
