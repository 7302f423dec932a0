package dev.protocollab.loadtests.gatling;

import java.net.URI;
import java.time.Duration;
import java.util.Properties;

/**
 * What {@link MixedJourneys} is asked to do, from system properties, checked before a single virtual user
 * starts: a typo in a knob should be one clear error, not a run that measures nothing.
 *
 * @param gateway base URL of the gateway ({@code gateway}); WebSockets go to the same host and port
 * @param placeRate users per second who place an order and watch it until DELIVERED ({@code placeRate})
 * @param browseRate users per second who list their orders and revalidate one ({@code browseRate})
 * @param audienceRate users per second who join stream-service's live audience ({@code audienceRate})
 * @param hold how long each audience member stays connected ({@code hold}, seconds)
 * @param duration how long users keep arriving ({@code duration}, seconds)
 * @param watchTimeout longest a watch may take to see DELIVERED before it counts as failed ({@code
 *     watchTimeout}, seconds); the suite's fulfilment takes 8 s by default
 * @param browsers how many customers the browsing users are ({@code browsers}); each has orders to list
 */
record JourneySettings(
        URI gateway,
        double placeRate,
        double browseRate,
        double audienceRate,
        Duration hold,
        Duration duration,
        Duration watchTimeout,
        int browsers) {

    JourneySettings {
        if (!"http".equals(gateway.getScheme()) && !"https".equals(gateway.getScheme())) {
            throw new IllegalArgumentException("gateway must be an http:// or https:// URL, not " + gateway);
        }
        requireRate("placeRate", placeRate);
        requireRate("browseRate", browseRate);
        requireRate("audienceRate", audienceRate);
        if (placeRate + browseRate + audienceRate == 0) {
            throw new IllegalArgumentException("placeRate, browseRate and audienceRate are all 0: nobody would arrive");
        }
        requirePositive("hold", hold);
        requirePositive("duration", duration);
        requirePositive("watchTimeout", watchTimeout);
        if (browsers < 1) {
            throw new IllegalArgumentException("browsers must be at least 1, not " + browsers);
        }
    }

    static JourneySettings from(Properties properties) {
        return new JourneySettings(
                URI.create(properties.getProperty("gateway", "http://localhost:8080")),
                number(properties, "placeRate", "2"),
                number(properties, "browseRate", "5"),
                number(properties, "audienceRate", "2"),
                seconds(properties, "hold", "20"),
                seconds(properties, "duration", "60"),
                seconds(properties, "watchTimeout", "30"),
                (int) number(properties, "browsers", "10"));
    }

    /** The gateway's WebSocket base: ws:// for http://, wss:// for https://. */
    String webSocketBase() {
        return gateway.toString().replaceFirst("^http", "ws");
    }

    /** Audience members connected at once once arrivals and departures balance (Little's law: λ × W). */
    double steadyAudience() {
        return audienceRate * hold.toMillis() / 1000.0;
    }

    private static double number(Properties properties, String name, String fallback) {
        String value = properties.getProperty(name, fallback).strip();
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, not '" + value + "'", e);
        }
    }

    private static Duration seconds(Properties properties, String name, String fallback) {
        return Duration.ofMillis(Math.round(number(properties, name, fallback) * 1000));
    }

    private static void requireRate(String name, double rate) {
        if (!(rate >= 0) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException(name + " must be 0 or more users per second, not " + rate);
        }
    }

    private static void requirePositive(String name, Duration duration) {
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be more than 0 seconds, not " + duration);
        }
    }
}
