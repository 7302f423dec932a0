package dev.protocollab.notification.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.protocollab.notification.IntegrationTest;
import dev.protocollab.notification.OrderEvents;
import dev.protocollab.notification.TestClients;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.node.ObjectNode;

@IntegrationTest
class ConsumerIT {

    private static final String DEAD_LETTER_QUEUE = "notification-service.order-events.dlq";

    @Autowired
    TestClients clients;

    @Autowired
    OrderEvents events;

    @Autowired
    RabbitTemplate rabbit;

    @Autowired
    JdbcClient jdbc;

    @Test
    void theSameEventDeliveredTwiceBecomesOneNotification() {
        String user = user();
        UUID eventId = UUID.randomUUID();
        ObjectNode event = OrderEvents.statusChanged(eventId, user, UUID.randomUUID(), "SHIPPED", "CONFIRMED", 3);
        double duplicatesBefore = clients.metric("notifications_consumed_total", "outcome=\"duplicate\"");

        events.publish(event);
        events.publish(event);

        await().atMost(Duration.ofSeconds(10))
                .until(() -> clients.metric("notifications_consumed_total", "outcome=\"duplicate\"")
                        >= duplicatesBefore + 1);
        assertThat(clients.inbox(user)).hasSize(1);
        assertThat(jdbc.sql("SELECT count(*) FROM notifications WHERE event_id = :id")
                        .param("id", eventId)
                        .query(Long.class)
                        .single())
                .isEqualTo(1);
    }

    @Test
    void theDatabaseRefusesASecondNotificationForTheSameEventAndUser() {
        String user = user();
        UUID eventId = events.publishStatusChanged(user, UUID.randomUUID(), "SHIPPED", "CONFIRMED", 3);
        await().atMost(Duration.ofSeconds(10)).until(() -> clients.inbox(user).size() == 1);

        // What a second instance racing past the in-transaction check would try: the unique key stops it.
        assertThatThrownBy(() -> jdbc.sql("""
                                INSERT INTO notifications (user_id, seq, event_id, type, order_id, status, order_version,
                                                           total, currency, enriched, occurred_at)
                                SELECT user_id, seq + 1, event_id, type, order_id, status, order_version, total, currency,
                                       enriched, occurred_at
                                  FROM notifications WHERE event_id = :id
                                """).param("id", eventId).update())
                .isInstanceOf(DataIntegrityViolationException.class)
                .hasMessageContaining("one_notification_per_event_and_user");
    }

    @Test
    void aBurstOfOneUsersEventsIsStoredInBatchesWithGapFreeSequenceNumbersAndEachEventOnce() {
        String user = user();
        int burst = 48;
        double batchesBefore = clients.metric("notifications_consumer_batch_count");
        double batchedBefore = clients.metric("notifications_consumer_batch_sum");
        double duplicatesBefore = clients.metric("notifications_consumed_total", "outcome=\"duplicate\"");
        List<ObjectNode> published = new ArrayList<>();
        for (int i = 0; i < burst; i++) {
            published.add(OrderEvents.created(UUID.randomUUID(), user, UUID.randomUUID()));
            events.publish(published.get(i));
        }
        // and a redelivery of one of them, which must not become a second notification
        events.publish(published.get(burst / 2));

        await().atMost(Duration.ofSeconds(20))
                .until(() -> clients.inbox(user).size() >= burst
                        && clients.metric("notifications_consumed_total", "outcome=\"duplicate\"")
                                >= duplicatesBefore + 1);
        List<Long> seqs = new ArrayList<>();
        clients.inbox(user).forEach(n -> seqs.add(n.path("seq").asLong()));
        assertThat(seqs)
                .as("1, 2, 3 … without a gap")
                .isEqualTo(LongStream.rangeClosed(1, burst).boxed().toList());
        assertThat(jdbc.sql("SELECT event_id FROM notifications WHERE user_id = :user")
                        .param("user", user)
                        .query(UUID.class)
                        .list())
                .containsExactlyInAnyOrderElementsOf(published.stream()
                        .map(event -> UUID.fromString(event.path("id").asString()))
                        .toList());
        double batches = clients.metric("notifications_consumer_batch_count") - batchesBefore;
        double batched = clients.metric("notifications_consumer_batch_sum") - batchedBefore;
        assertThat(batched)
                .as("notifications stored in %s transactions: fewer transactions than notifications", batches)
                .isGreaterThan(batches);
    }

    @Test
    void poisonMessagesAreDeadLetteredAndTheNextGoodMessageIsStillProcessed() {
        String user = user();
        String unreadable = "unreadable-" + UUID.randomUUID();
        String unusable = "unusable-" + UUID.randomUUID();
        double deadLetteredBefore = clients.metric("notifications_consumer_dead_lettered_total");

        events.publish("order.status-changed", "{this is not json".getBytes(StandardCharsets.UTF_8), unreadable);
        ObjectNode noCustomer =
                OrderEvents.statusChanged(UUID.randomUUID(), user, UUID.randomUUID(), "SHIPPED", "CONFIRMED", 3);
        ((ObjectNode) noCustomer.path("data")).remove("customerId");
        events.publish("order.status-changed", noCustomer.toString().getBytes(StandardCharsets.UTF_8), unusable);
        UUID order = UUID.randomUUID();
        events.publishStatusChanged(user, order, "SHIPPED", "CONFIRMED", 3);

        await().atMost(Duration.ofSeconds(10)).until(() -> clients.inbox(user).size() == 1);
        assertThat(clients.inbox(user).get(0).path("orderId").asString()).isEqualTo(order.toString());

        Map<String, Message> dead = new HashMap<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            Message message = rabbit.receive(DEAD_LETTER_QUEUE, 500);
            if (message != null) {
                dead.put(message.getMessageProperties().getMessageId(), message);
            }
            return dead.containsKey(unreadable) && dead.containsKey(unusable);
        });
        assertThat(new String(dead.get(unreadable).getBody(), StandardCharsets.UTF_8))
                .isEqualTo("{this is not json");
        assertThat(dead.get(unusable).getMessageProperties().getXDeathHeader())
                .as("dead-lettered by the broker, from our queue")
                .anySatisfy(death -> assertThat(death.get("queue")).isEqualTo("notification-service.order-events"));
        assertThat(clients.metric("notifications_consumer_dead_lettered_total"))
                .isGreaterThanOrEqualTo(deadLetteredBefore + 2);
    }

    @Test
    void aFailingEventIsRetriedABoundedNumberOfTimesThenDeadLetteredAndTheQueueMovesOn() {
        String user = user();
        UUID eventId = UUID.randomUUID();
        double failuresBefore = clients.metric("notifications_consumer_failures_total", "reason=\"error\"");
        // The database refuses every statement on the table, as it would during an outage of it.
        jdbc.sql("ALTER TABLE notifications RENAME TO notifications_away").update();
        try {
            events.publish(OrderEvents.statusChanged(eventId, user, UUID.randomUUID(), "SHIPPED", "CONFIRMED", 3));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> clients.metric("notifications_consumer_failures_total", "reason=\"error\"")
                            >= failuresBefore + 4);
        } finally {
            jdbc.sql("ALTER TABLE notifications_away RENAME TO notifications").update();
        }

        Message dead = awaitDeadLetter(eventId.toString());
        assertThat(dead.getMessageProperties().getXDeathHeader()).isNotEmpty();
        assertThat(clients.metric("notifications_consumer_failures_total", "reason=\"error\""))
                .as("the first attempt and max-retries (3) more, then no further")
                .isEqualTo(failuresBefore + 4);

        UUID order = UUID.randomUUID();
        events.publishStatusChanged(user, order, "DELIVERED", "SHIPPED", 4);
        await().atMost(Duration.ofSeconds(10)).until(() -> clients.inbox(user).size() == 1);
        assertThat(clients.inbox(user).get(0).path("orderId").asString()).isEqualTo(order.toString());
    }

    private Message awaitDeadLetter(String messageId) {
        Map<String, Message> dead = new HashMap<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            Message message = rabbit.receive(DEAD_LETTER_QUEUE, 500);
            if (message != null) {
                dead.put(message.getMessageProperties().getMessageId(), message);
            }
            return dead.containsKey(messageId);
        });
        return dead.get(messageId);
    }

    private static String user() {
        return "consumer-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
