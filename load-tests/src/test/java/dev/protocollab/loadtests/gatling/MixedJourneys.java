package dev.protocollab.loadtests.gatling;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.asLongAs;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.doIf;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.group;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.onCase;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.core.CoreDsl.percent;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.core.CoreDsl.substring;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.sse;
import static io.gatling.javaapi.http.HttpDsl.status;
import static io.gatling.javaapi.http.HttpDsl.ws;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Mixed user journeys through the gateway, all at once, in an open model (users arrive at fixed rates
 * whether or not earlier ones are done, so a slow suite shows as longer journeys, not as fewer arrivals):
 *
 * <ul>
 *   <li><b>place and watch</b>: get a token, {@code POST /api/orders}, then watch the order until
 *       DELIVERED by one of four transports in turn: short polling {@code /api/orders/{id}/status} once a
 *       second, long polling it ({@code ?after={version}&wait=PT25S}), notification-service's SSE
 *       ({@code /api/notifications/stream}) or its WebSocket ({@code /ws/notifications}). Each watch is a
 *       Gatling group, so the report gives "time from created to seeing DELIVERED" per transport;
 *   <li><b>browse</b>: one of a few returning customers lists their orders and reads the newest twice, the
 *       second time with {@code If-None-Match}, which must be a 304;
 *   <li><b>audience</b>: a steady crowd on stream-service, half on the SSE {@code /api/stream/metrics}, half
 *       on the WebSocket {@code /ws/stream} (subscribe, then a ping/pong round trip), each staying
 *       {@code hold} seconds.
 * </ul>
 *
 * <p>Tokens come from the gateway's demo issuer ({@code POST /auth/token}), one subject per watching user
 * (so its notification streams carry its one order), and browsers and SSE/WebSocket clients pass them as
 * {@code ?access_token=} as a browser would. Knobs: {@link JourneySettings}.
 */
public class MixedJourneys extends Simulation {

    static final List<String> WATCHES = List.of("short-poll", "long-poll", "sse", "websocket");

    private final JourneySettings settings = JourneySettings.from(System.getProperties());
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    public MixedJourneys() {
        HttpProtocolBuilder protocol = http.baseUrl(settings.gateway().toString())
                .wsBaseUrl(settings.webSocketBase())
                .acceptHeader("application/json")
                .contentTypeHeader("application/json")
                .disableCaching()
                .shareConnections();

        List<PopulationBuilder> populations = new ArrayList<>();
        if (settings.placeRate() > 0) {
            populations.add(scenario("place and watch")
                    .feed(circular(WATCHES))
                    .exec(token(session -> "journey-" + run + "-" + UUID.randomUUID()))
                    .exec(placeOrder())
                    // nothing to watch without an order: a refused create ends the journey (it counts as failed)
                    .exitHereIfFailed()
                    .exec(session -> session.set("watchStart", System.currentTimeMillis()))
                    .doSwitch("#{watch}")
                    .on(
                            onCase("short-poll").then(group("watch: short poll").on(shortPoll())),
                            onCase("long-poll").then(group("watch: long poll").on(longPoll())),
                            onCase("sse").then(group("watch: SSE").on(serverSentEvents())),
                            onCase("websocket").then(group("watch: WebSocket").on(webSocket())))
                    .injectOpen(constantUsersPerSec(settings.placeRate()).during(settings.duration()))
                    .protocols(protocol));
        }
        if (settings.browseRate() > 0) {
            AtomicLong next = new AtomicLong();
            populations.add(scenario("browse")
                    .exec(token(session -> "browser-" + run + "-" + next.getAndIncrement() % settings.browsers()))
                    .exec(browse())
                    .injectOpen(constantUsersPerSec(settings.browseRate()).during(settings.duration()))
                    .protocols(protocol));
        }
        if (settings.audienceRate() > 0) {
            populations.add(scenario("audience")
                    .exec(token(session -> "audience-" + run + "-" + UUID.randomUUID()))
                    .randomSwitch()
                    .on(
                            percent(50.0).then(group("audience: SSE").on(audienceSse())),
                            percent(50.0).then(group("audience: WebSocket").on(audienceWebSocket())))
                    .injectOpen(constantUsersPerSec(settings.audienceRate()).during(settings.duration()))
                    .protocols(protocol));
        }
        setUp(populations);
    }

    private static Iterator<Map<String, Object>> circular(List<String> watches) {
        return Stream.iterate(0L, i -> i + 1)
                .map(i -> Map.<String, Object>of("watch", watches.get((int) (i % watches.size()))))
                .iterator();
    }

    private static ChainBuilder token(java.util.function.Function<Session, String> subject) {
        return exec(session -> session.set("subject", subject.apply(session)))
                .exec(http("token")
                        .post("/auth/token")
                        .body(StringBody("{\"subject\":\"#{subject}\"}"))
                        .check(status().is(200), jsonPath("$.access_token").saveAs("token")))
                .exitHereIfFailed();
    }

    private static ChainBuilder placeOrder() {
        return exec(http("create order")
                .post("/api/orders")
                .header("Authorization", "Bearer #{token}")
                .header("Idempotency-Key", "#{subject}")
                .body(
                        StringBody(
                                "{\"items\":[{\"sku\":\"BOOK-42\",\"quantity\":2,\"unitPrice\":\"12.50\"}],\"currency\":\"EUR\"}"))
                .check(
                        status().is(201),
                        jsonPath("$.id").saveAs("orderId"),
                        jsonPath("$.version").saveAs("version"),
                        jsonPath("$.status").saveAs("status")));
    }

    private ChainBuilder shortPoll() {
        return asLongAs(session -> !delivered(session) && withinTimeout(session, 1))
                .on(pause(Duration.ofSeconds(1))
                        .exec(http("short poll")
                                .get("/api/orders/#{orderId}/status")
                                .header("Authorization", "Bearer #{token}")
                                .check(status().is(200), jsonPath("$.status").saveAs("status"))))
                .exec(failUnlessDelivered());
    }

    private ChainBuilder longPoll() {
        return asLongAs(session -> !delivered(session) && withinTimeout(session, 25))
                .on(exec(http("long poll")
                        .get("/api/orders/#{orderId}/status?after=#{version}&wait=PT25S")
                        .header("Authorization", "Bearer #{token}")
                        .check(status().in(200, 304).saveAs("pollStatus"))
                        .checkIf((response, session) -> response.status().code() == 200)
                        .then(
                                jsonPath("$.status").saveAs("status"),
                                jsonPath("$.version").saveAs("version"))))
                .exec(failUnlessDelivered());
    }

    /** after=0: the stream replays the user's notifications from the start, so none is missed. */
    private ChainBuilder serverSentEvents() {
        return exec(sse("notifications SSE")
                        .get("/api/notifications/stream?after=0&access_token=#{token}")
                        .await(settings.watchTimeout())
                        .on(sse.checkMessage("DELIVERED").matching(substring("DELIVERED"))))
                .exec(sse("notifications SSE").close());
    }

    private ChainBuilder webSocket() {
        return exec(ws("notifications WebSocket")
                        .connect("/ws/notifications?after=0&access_token=#{token}")
                        .await(settings.watchTimeout())
                        .on(ws.checkTextMessage("DELIVERED").matching(substring("DELIVERED"))))
                .exec(ws("notifications WebSocket").close());
    }

    private static ChainBuilder browse() {
        return exec(http("list orders")
                        .get("/api/orders?size=10")
                        .header("Authorization", "Bearer #{token}")
                        .check(
                                status().is(200),
                                jsonPath("$.content[0].id").optional().saveAs("orderId")))
                .doIf(session -> !session.contains("orderId"))
                .then(exec(placeOrder()))
                .exitHereIfFailed()
                .exec(http("get order")
                        .get("/api/orders/#{orderId}")
                        .header("Authorization", "Bearer #{token}")
                        .check(status().is(200), header("ETag").saveAs("etag")))
                .exitHereIfFailed()
                .exec(http("get order again (If-None-Match)")
                        .get("/api/orders/#{orderId}")
                        .header("Authorization", "Bearer #{token}")
                        .header("If-None-Match", "#{etag}")
                        // 304 unless fulfilment moved the order in between: then a 200 with a new ETag is right
                        .check(status().in(200, 304))
                        .checkIf((response, session) -> response.status().code() == 200)
                        .then(header("ETag").not("#{etag}")));
    }

    /**
     * The shop's one-second aggregate (topic {@code metrics}): a first event comes within a second or so
     * whatever the order rate, unlike the {@code orders} topic, which is silent while no order changes.
     */
    private ChainBuilder audienceSse() {
        return exec(sse("stream SSE")
                        .get("/api/stream/metrics?access_token=#{token}")
                        .await(Duration.ofSeconds(5))
                        .on(sse.checkMessage("first event").matching(substring("data"))))
                .pause(settings.hold())
                .exec(sse("stream SSE").close());
    }

    private ChainBuilder audienceWebSocket() {
        return exec(ws("stream WebSocket").connect("/ws/stream?access_token=#{token}"))
                .exec(ws("stream WebSocket")
                        .sendText("{\"type\":\"subscribe\",\"topics\":[\"orders\",\"metrics\"]}")
                        .await(Duration.ofSeconds(5))
                        .on(ws.checkTextMessage("subscribed").matching(substring("\"subscribed\""))))
                .pause(settings.hold())
                .exec(ws("stream WebSocket")
                        .sendText("{\"type\":\"ping\"}")
                        .await(Duration.ofSeconds(5))
                        .on(ws.checkTextMessage("pong").matching(substring("\"pong\""))))
                .exec(ws("stream WebSocket").close());
    }

    private static boolean delivered(Session session) {
        return "DELIVERED".equals(session.getString("status"));
    }

    /** Polls stop once the watch has taken longer than its timeout (each poll may itself take up to wait). */
    private boolean withinTimeout(Session session, int pollSeconds) {
        long started = session.contains("watchStart") ? session.getLong("watchStart") : 0;
        return started == 0
                || System.currentTimeMillis() - started
                        < settings.watchTimeout().toMillis() + pollSeconds * 1000L;
    }

    private static ChainBuilder failUnlessDelivered() {
        return doIf(session -> !delivered(session)).then(exec(session -> session.markAsFailed()));
    }
}
