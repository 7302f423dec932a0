package dev.protocollab.notification.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.protocollab.notification.IntegrationTest;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;

/** The batch store against the real PostgreSQL: numbering, duplicates, one user per batch. */
@IntegrationTest
class InboxIT {

    @Autowired
    Inbox inbox;

    @Autowired
    TransactionTemplate transactions;

    @Test
    void aBatchIsNumberedOnFromTheUsersLastSequenceWithoutGapsAndSkipsWhatIsAlreadyStored() {
        String user = user();
        NewNotification first = draft(user, UUID.randomUUID());
        assertThat(store(List.of(first))).containsExactly(1L);

        NewNotification second = draft(user, UUID.randomUUID());
        NewNotification third = draft(user, UUID.randomUUID());
        // first again (a redelivery), and second twice in the same batch (published twice)
        assertThat(store(List.of(second, first, third, second))).containsExactly(2L, null, 3L, null);

        assertThat(inbox.lastSeq(user)).isEqualTo(3);
        assertThat(inbox.after(user, 0, 10))
                .extracting(Notification::eventId)
                .containsExactly(first.eventId(), second.eventId(), third.eventId());
    }

    @Test
    void aBatchOfOnlyDuplicatesLeavesTheCounterAsItWas() {
        String user = user();
        NewNotification only = draft(user, UUID.randomUUID());
        store(List.of(only));

        assertThat(store(List.of(only, only))).containsExactly(null, null);
        assertThat(inbox.lastSeq(user)).isEqualTo(1);
    }

    @Test
    void aBatchHoldsOneUsersNotifications() {
        List<NewNotification> mixed = List.of(draft(user(), UUID.randomUUID()), draft(user(), UUID.randomUUID()));

        assertThatThrownBy(() -> store(mixed)).isInstanceOf(IllegalArgumentException.class);
    }

    /** The sequence number each draft got, null for a skipped one. */
    private List<Long> store(List<NewNotification> drafts) {
        return transactions.execute(tx -> inbox.appendAll(drafts).stream()
                .map(stored -> stored.map(Notification::seq).orElse(null))
                .toList());
    }

    private static NewNotification draft(String user, UUID eventId) {
        return new NewNotification(
                user,
                eventId,
                "order.created",
                UUID.randomUUID(),
                "PENDING",
                null,
                1,
                "25.00",
                "EUR",
                List.of(new Notification.Item("BOOK-42", 2, "12.50")),
                false,
                Instant.now());
    }

    private static String user() {
        return "inbox-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
