package dev.protocollab.notification.live;

import dev.protocollab.notification.inbox.Notification;

/**
 * Someone on this instance waiting for a user's notifications: a WebSocket or SSE connection, or a long
 * poll. Both methods are called on broker or scheduler threads, so they hand work off and never block.
 */
public interface Subscriber {

    /** A notification was stored for the user, by this instance or another. */
    void offer(Notification notification);

    /** The user's newest sequence number is {@code lastSeq}; catch up if behind (a fan-out was lost). */
    void caughtUpTo(long lastSeq);

    /** {@code websocket}, {@code sse} or {@code long-poll}: the tag of the open-connections gauge. */
    String channel();
}
