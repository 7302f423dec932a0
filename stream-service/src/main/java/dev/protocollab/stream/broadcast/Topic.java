package dev.protocollab.stream.broadcast;

import java.util.Optional;

/** What a subscriber can follow. The wire name is the one in URLs and JSON; the event name is SSE's. */
public enum Topic {
    ORDERS("orders", "order"),
    METRICS("metrics", "metrics");

    private final String wireName;
    private final String eventName;

    Topic(String wireName, String eventName) {
        this.wireName = wireName;
        this.eventName = eventName;
    }

    public String wireName() {
        return wireName;
    }

    /** The SSE {@code event:} field: {@code order} for one order event, {@code metrics} for an aggregate. */
    public String eventName() {
        return eventName;
    }

    public static Optional<Topic> fromWireName(String name) {
        for (Topic topic : values()) {
            if (topic.wireName.equals(name)) {
                return Optional.of(topic);
            }
        }
        return Optional.empty();
    }
}
