package dev.protocollab.order.changes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.protocollab.order.orders.OrderStatus;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class OrderChangeTest {

    @Test
    void aChangeSurvivesTheNotifyPayloadToTheMicrosecond() {
        OrderChange change = new OrderChange(
                UUID.randomUUID(), OrderStatus.SHIPPED, 3, Instant.parse("2026-11-23T10:15:30.123456Z"));

        assertThat(OrderChange.decode(change.encode())).isEqualTo(change);
        assertThat(change.encode().length()).isLessThan(8000);
    }
}
