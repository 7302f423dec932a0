package dev.protocollab.order.changes;

import dev.protocollab.order.orders.OrderStatus;
import java.time.Instant;
import java.util.UUID;

/** One committed change of an order, as announced to every instance. */
public record OrderChange(UUID orderId, OrderStatus status, long version, Instant updatedAt) {

    /** {@code <id>:<version>:<status>:<epoch micros>}, well under NOTIFY's 8000-byte payload limit. */
    String encode() {
        long micros = updatedAt.getEpochSecond() * 1_000_000 + updatedAt.getNano() / 1_000;
        return orderId + ":" + version + ":" + status.name() + ":" + micros;
    }

    static OrderChange decode(String payload) {
        String[] parts = payload.split(":", 4);
        long micros = Long.parseLong(parts[3]);
        return new OrderChange(
                UUID.fromString(parts[0]),
                OrderStatus.valueOf(parts[2]),
                Long.parseLong(parts[1]),
                Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000), Math.floorMod(micros, 1_000_000) * 1_000));
    }
}
