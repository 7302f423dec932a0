package dev.protocollab.order.orders;

import java.util.UUID;

/** The caller acted on a version of the order that is no longer current (optimistic concurrency). */
public class StaleVersionException extends RuntimeException {

    private final long currentVersion;

    public StaleVersionException(UUID orderId, long expectedVersion, long currentVersion) {
        super("Order " + orderId + " is at version " + currentVersion + ", not " + expectedVersion);
        this.currentVersion = currentVersion;
    }

    public long currentVersion() {
        return currentVersion;
    }
}
