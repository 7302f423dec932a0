package dev.protocollab.order.orders;

import java.util.UUID;

public class OrderNotCancellableException extends RuntimeException {

    private final OrderStatus status;

    public OrderNotCancellableException(UUID orderId, OrderStatus status) {
        super("Order " + orderId + " is " + status + " and can no longer be cancelled");
        this.status = status;
    }

    public OrderStatus status() {
        return status;
    }
}
