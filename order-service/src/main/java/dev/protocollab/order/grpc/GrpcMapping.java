package dev.protocollab.order.grpc;

import com.google.protobuf.Timestamp;
import dev.protocollab.contracts.order.v1.CreateOrderRequest;
import dev.protocollab.contracts.order.v1.LineItem;
import dev.protocollab.contracts.order.v1.Money;
import dev.protocollab.contracts.order.v1.OrderStatus;
import dev.protocollab.contracts.order.v1.OrderUpdate;
import dev.protocollab.order.orders.NewOrder;
import dev.protocollab.order.orders.Order;
import dev.protocollab.order.orders.OrderState;
import java.time.Instant;
import java.util.UUID;

/** Between the domain and {@code order.v1} messages. */
final class GrpcMapping {

    private static final String PREFIX = "ORDER_STATUS_";

    private GrpcMapping() {}

    static NewOrder newOrder(CreateOrderRequest request) {
        return NewOrder.of(
                request.getItemsList().stream()
                        .map(item -> new NewOrder.Line(item.getSku(), item.getQuantity(), item.getUnitPrice()))
                        .toList(),
                request.getCurrencyCode());
    }

    static dev.protocollab.contracts.order.v1.Order order(Order order) {
        return dev.protocollab.contracts.order.v1.Order.newBuilder()
                .setId(order.id().toString())
                .setCustomerId(order.customerId())
                .setStatus(status(order.status()))
                .setVersion(order.version())
                .addAllItems(order.items().stream()
                        .map(i -> LineItem.newBuilder()
                                .setSku(i.sku())
                                .setQuantity(i.quantity())
                                .setUnitPrice(i.unitPrice().toPlainString())
                                .build())
                        .toList())
                .setTotal(Money.newBuilder()
                        .setAmount(order.total().toPlainString())
                        .setCurrencyCode(order.currency()))
                .setCreatedAt(timestamp(order.createdAt()))
                .setUpdatedAt(timestamp(order.updatedAt()))
                .build();
    }

    static OrderUpdate update(OrderState state) {
        return OrderUpdate.newBuilder()
                .setId(state.id().toString())
                .setStatus(status(state.status()))
                .setVersion(state.version())
                .setUpdatedAt(timestamp(state.updatedAt()))
                .build();
    }

    static OrderStatus status(dev.protocollab.order.orders.OrderStatus status) {
        return OrderStatus.valueOf(PREFIX + status.name());
    }

    /** {@code null} for {@code ORDER_STATUS_UNSPECIFIED}: "any status". */
    static dev.protocollab.order.orders.OrderStatus status(OrderStatus status) {
        if (status == OrderStatus.ORDER_STATUS_UNSPECIFIED) {
            return null;
        }
        if (status == OrderStatus.UNRECOGNIZED) {
            throw new IllegalArgumentException("unknown order status");
        }
        return dev.protocollab.order.orders.OrderStatus.valueOf(status.name().substring(PREFIX.length()));
    }

    static UUID orderId(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + id + "' is not an order id (a UUID)");
        }
    }

    static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder()
                .setSeconds(instant.getEpochSecond())
                .setNanos(instant.getNano())
                .build();
    }
}
