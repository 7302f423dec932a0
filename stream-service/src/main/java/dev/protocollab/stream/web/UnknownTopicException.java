package dev.protocollab.stream.web;

/** A topic name that is not {@code orders} or {@code metrics}. */
public class UnknownTopicException extends RuntimeException {

    public UnknownTopicException(String topic) {
        super("There is no topic '" + abbreviate(topic) + "'; the topics are 'orders' and 'metrics'");
    }

    private static String abbreviate(String topic) {
        return topic.length() > 40 ? topic.substring(0, 40) + "…" : topic;
    }
}
