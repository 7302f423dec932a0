package dev.protocollab.stream.broadcast;

/**
 * Tells a subscriber that it did not get some events of a topic: {@value #SLOW_CONSUMER} when its own
 * buffer overflowed ({@code missed} is exact), {@value #RESUME_UNAVAILABLE} when it asked to resume from
 * an event this instance no longer (or never) held ({@code missed} is unknown, -1).
 */
public record Gap(Topic topic, long missed, String reason) {

    public static final String SLOW_CONSUMER = "slow-consumer";
    public static final String RESUME_UNAVAILABLE = "resume-unavailable";

    public boolean missedKnown() {
        return missed >= 0;
    }

    /** The JSON members shared by the SSE and WebSocket forms; every value is ours, none is user input. */
    public String jsonMembers() {
        return "\"topic\":\"" + topic.wireName() + "\","
                + (missedKnown() ? "\"missed\":" + missed + "," : "")
                + "\"reason\":\"" + reason + "\"";
    }
}
