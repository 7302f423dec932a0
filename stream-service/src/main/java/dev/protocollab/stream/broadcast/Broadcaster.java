package dev.protocollab.stream.broadcast;

import dev.protocollab.stream.StreamProperties;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * The fan-out hub: one channel per topic, each with its subscribers' mailboxes and a short ring of recent
 * events for SSE resumption.
 *
 * <p>Publishing serialises the event once, appends it to the ring and offers it to every mailbox, one
 * publish at a time per topic, so every subscriber sees a topic's events in one order; the ring and the
 * subscriber list change together under a short lock, so a subscriber that resumes from the ring can
 * neither miss nor repeat an event published while it joined. Offering never
 * blocks (see {@link Mailbox}), so the publisher (the AMQP listener thread, the metrics timer) never
 * waits for a subscriber, and no Netty event-loop thread does publishing work.
 */
@Component
public class Broadcaster {

    /** A result of {@link #subscribe(Topic, Mailbox, String)}. */
    public enum Resume {
        /** No resume point was asked for: live events only. */
        LIVE,
        /** The events after the resume point were replayed. */
        RESUMED,
        /** The resume point is not in the ring: the subscriber was sent a gap notice, then live events. */
        UNAVAILABLE
    }

    private final Map<Topic, Channel> channels = new EnumMap<>(Topic.class);
    private final JsonMapper json;
    private volatile boolean closed;

    Broadcaster(StreamProperties properties, JsonMapper json, MeterRegistry registry) {
        this.json = json;
        for (Topic topic : Topic.values()) {
            Channel channel = new Channel(topic, properties.sse().ringSize());
            channels.put(topic, channel);
            for (Transport transport : List.of(Transport.SSE, Transport.WEBSOCKET, Transport.GRPC)) {
                Gauge.builder("stream.subscribers", channel, c -> c.count(transport))
                        .description("Connected subscribers")
                        .tag("transport", transport.tag())
                        .tag("topic", topic.wireName())
                        .register(registry);
                Gauge.builder("stream.subscribers.buffered", channel, c -> c.buffered(transport))
                        .description("Events waiting in subscribers' buffers (bounded per subscriber)")
                        .tag("transport", transport.tag())
                        .tag("topic", topic.wireName())
                        .register(registry);
            }
        }
    }

    /** Publishes one event to every current subscriber of the topic and to its ring. */
    public StreamEvent publish(Topic topic, String id, Object payload) {
        String data = json.writeValueAsString(payload);
        return channels.get(topic).publish(id, payload, data);
    }

    /** Live events from now on. */
    public void subscribe(Topic topic, Mailbox<?> mailbox) {
        subscribe(topic, mailbox, null);
    }

    /**
     * Live events, preceded by those after {@code lastEventId} when the ring still holds it. Registering
     * and taking the replay happen under the topic's lock, so nothing falls between them.
     */
    public Resume subscribe(Topic topic, Mailbox<?> mailbox, String lastEventId) {
        if (closed) {
            mailbox.close();
            return Resume.LIVE;
        }
        return channels.get(topic).subscribe(mailbox, lastEventId);
    }

    public void unsubscribe(Topic topic, Mailbox<?> mailbox) {
        channels.get(topic).unsubscribe(mailbox);
    }

    public void unsubscribeAll(Mailbox<?> mailbox) {
        channels.values().forEach(channel -> channel.unsubscribe(mailbox));
    }

    /** The mailboxes subscribed to a topic right now. */
    public List<Mailbox<?>> subscribers(Topic topic) {
        return List.of(channels.get(topic).subscribers);
    }

    /** The newest events of a topic, oldest first, as the ring holds them. */
    public List<StreamEvent> recent(Topic topic) {
        return channels.get(topic).recent();
    }

    /**
     * Ends every subscription when the application shuts down, before the web and gRPC servers' graceful
     * shutdown starts: live streams never end by themselves and would otherwise hold it for its whole
     * timeout. Clients reconnect (SSE {@code retry:}, WebSocket close 1001, gRPC {@code UNAVAILABLE}).
     */
    @EventListener(ContextClosedEvent.class)
    public void closeAll() {
        closed = true;
        for (Channel channel : channels.values()) {
            for (Mailbox<?> mailbox : channel.subscribers) {
                mailbox.close();
            }
        }
    }

    private static final class Channel {

        private static final Mailbox<?>[] NONE = new Mailbox<?>[0];

        private final Object publishing = new Object();
        private final Topic topic;
        private final int ringSize;
        private final ArrayDeque<StreamEvent> ring;
        private long sequence;
        // copy on write: read without the lock by gauges and closeAll
        private volatile Mailbox<?>[] subscribers = NONE;

        Channel(Topic topic, int ringSize) {
            this.topic = topic;
            this.ringSize = ringSize;
            this.ring = new ArrayDeque<>(ringSize);
        }

        /**
         * Two locks: {@code publishing} keeps publishers of the topic in one order through the whole
         * fan-out; {@code this} guards the ring and the subscriber list only briefly, so a subscriber
         * joining (on an event-loop thread) never waits for a fan-out to thousands of mailboxes.
         */
        StreamEvent publish(String id, Object payload, String data) {
            synchronized (publishing) {
                StreamEvent event;
                Mailbox<?>[] recipients;
                synchronized (this) {
                    event = new StreamEvent(topic, ++sequence, id, payload, data);
                    if (ring.size() == ringSize) {
                        ring.removeFirst();
                    }
                    ring.addLast(event);
                    recipients = subscribers;
                }
                for (Mailbox<?> mailbox : recipients) {
                    mailbox.offer(event);
                }
                return event;
            }
        }

        synchronized Resume subscribe(Mailbox<?> mailbox, String lastEventId) {
            Resume resume = Resume.LIVE;
            if (lastEventId != null && !lastEventId.isBlank()) {
                List<StreamEvent> after = after(lastEventId);
                if (after == null) {
                    mailbox.notice(new Gap(topic, -1, Gap.RESUME_UNAVAILABLE));
                    resume = Resume.UNAVAILABLE;
                } else {
                    mailbox.replay(after);
                    resume = Resume.RESUMED;
                }
            }
            if (Arrays.stream(subscribers).noneMatch(m -> m == mailbox)) {
                Mailbox<?>[] grown = Arrays.copyOf(subscribers, subscribers.length + 1);
                grown[subscribers.length] = mailbox;
                subscribers = grown;
            }
            return resume;
        }

        synchronized void unsubscribe(Mailbox<?> mailbox) {
            Mailbox<?>[] current = subscribers;
            for (int i = 0; i < current.length; i++) {
                if (current[i] == mailbox) {
                    Mailbox<?>[] shrunk = new Mailbox<?>[current.length - 1];
                    System.arraycopy(current, 0, shrunk, 0, i);
                    System.arraycopy(current, i + 1, shrunk, i, current.length - i - 1);
                    subscribers = shrunk;
                    return;
                }
            }
        }

        /** The events after the one with this id, or null when the ring does not hold it. */
        private List<StreamEvent> after(String id) {
            List<StreamEvent> newer = new ArrayList<>();
            Iterator<StreamEvent> newestFirst = ring.descendingIterator();
            while (newestFirst.hasNext()) {
                StreamEvent event = newestFirst.next();
                if (event.id().equals(id)) {
                    return newer.reversed();
                }
                newer.add(event);
            }
            return null;
        }

        synchronized List<StreamEvent> recent() {
            return List.copyOf(ring);
        }

        double count(Transport transport) {
            int n = 0;
            for (Mailbox<?> mailbox : subscribers) {
                if (mailbox.transport() == transport) {
                    n++;
                }
            }
            return n;
        }

        double buffered(Transport transport) {
            long n = 0;
            for (Mailbox<?> mailbox : subscribers) {
                if (mailbox.transport() == transport) {
                    n += mailbox.buffered();
                }
            }
            return n;
        }
    }
}
