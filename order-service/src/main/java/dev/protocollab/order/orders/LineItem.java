package dev.protocollab.order.orders;

import java.math.BigDecimal;

public record LineItem(String sku, int quantity, BigDecimal unitPrice) {

    BigDecimal subtotal() {
        return unitPrice.multiply(BigDecimal.valueOf(quantity));
    }
}
