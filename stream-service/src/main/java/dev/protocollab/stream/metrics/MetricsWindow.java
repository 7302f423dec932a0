package dev.protocollab.stream.metrics;

import java.time.Instant;
import java.util.Map;

/**
 * One window of the {@code metrics} topic. {@code orders} counts {@code order.created} events, {@code
 * revenue} sums their totals per currency (decimal strings), {@code ordersByStatus} counts the orders
 * that entered each status in the window (a created order enters PENDING), {@code events} counts every
 * order event.
 */
public record MetricsWindow(
        Instant windowStart,
        Instant windowEnd,
        long orders,
        double ordersPerSecond,
        long events,
        Map<String, String> revenue,
        Map<String, Long> ordersByStatus) {}
