package dev.protocollab.stream.broadcast;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The slow-consumer policy in isolation: bounded, drop-oldest, a gap marker, control messages bounded. */
class MailboxTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final StreamMeters meters = new StreamMeters(registry);

    @Test
    void aFullMailboxDropsTheOldestAndSaysHowManyBeforeTheNextEvent() {
        Mailbox<String> mailbox = new Mailbox<>(Transport.SSE, 3, 2, meters);
        Recorder out = new Recorder();
        mailbox.attach(out); // not ready: nothing is taken

        for (int i = 1; i <= 10; i++) {
            mailbox.offer(event(Topic.ORDERS, i));
            assertThat(mailbox.buffered()).isLessThanOrEqualTo(3);
        }
        out.demand = Integer.MAX_VALUE;
        mailbox.drain();

        assertThat(out.taken).containsExactly("gap orders 7 slow-consumer", "orders 8", "orders 9", "orders 10");
        assertThat(mailbox.dropped()).isEqualTo(7);
        assertThat(registry.get("stream.events.dropped")
                        .tag("transport", "sse")
                        .tag("topic", "orders")
                        .counter()
                        .count())
                .isEqualTo(7);
    }

    @Test
    void deliversOnlyAsMuchAsTheTransportAsksFor() {
        Mailbox<String> mailbox = new Mailbox<>(Transport.WEBSOCKET, 10, 2, meters);
        Recorder out = new Recorder();
        mailbox.attach(out);
        for (int i = 1; i <= 5; i++) {
            mailbox.offer(event(Topic.ORDERS, i));
        }

        out.demand = 2;
        mailbox.drain();
        assertThat(out.taken).containsExactly("orders 1", "orders 2");

        out.demand = 10;
        mailbox.drain();
        assertThat(out.taken).containsExactly("orders 1", "orders 2", "orders 3", "orders 4", "orders 5");
    }

    @Test
    void controlMessagesGoFirstAndAreRefusedPastTheirBoundRatherThanDropped() {
        Mailbox<String> mailbox = new Mailbox<>(Transport.WEBSOCKET, 10, 2, meters);
        Recorder out = new Recorder();
        mailbox.attach(out);
        mailbox.offer(event(Topic.METRICS, 1));

        assertThat(mailbox.offerControl("ack")).isTrue();
        assertThat(mailbox.offerControl("pong")).isTrue();
        assertThat(mailbox.offerControl("one too many")).isFalse();

        out.demand = 10;
        mailbox.drain();
        assertThat(out.taken).containsExactly("control ack", "control pong", "metrics 1");
    }

    @Test
    void closingDiscardsWhatIsLeftAndTellsTheOutletOnce() {
        Mailbox<String> mailbox = new Mailbox<>(Transport.GRPC, 10, 2, meters);
        Recorder out = new Recorder();
        mailbox.attach(out);
        mailbox.offer(event(Topic.ORDERS, 1));

        mailbox.close();
        mailbox.close();
        mailbox.offer(event(Topic.ORDERS, 2));
        out.demand = 10;
        mailbox.drain();

        assertThat(out.taken).containsExactly("closed");
        assertThat(mailbox.buffered()).isZero();
    }

    private static StreamEvent event(Topic topic, long sequence) {
        return new StreamEvent(topic, sequence, "e" + sequence, null, "{}");
    }

    private static final class Recorder implements Outlet<String> {

        final List<String> taken = new ArrayList<>();
        int demand;

        @Override
        public boolean ready() {
            return demand > 0;
        }

        @Override
        public void event(StreamEvent event) {
            demand--;
            taken.add(event.topic().wireName() + " " + event.sequence());
        }

        @Override
        public void gap(Gap gap) {
            demand--;
            taken.add("gap " + gap.topic().wireName() + " " + gap.missed() + " " + gap.reason());
        }

        @Override
        public void control(String message) {
            demand--;
            taken.add("control " + message);
        }

        @Override
        public void closed() {
            taken.add("closed");
        }
    }
}
