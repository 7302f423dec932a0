package dev.protocollab.e2e.patterns;

import dev.protocollab.cli.Tour;
import dev.protocollab.e2e.suite.FullSuite;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every pattern through the gateway only, in one running topology: the steps of {@code bin/suite demo},
 * each its own test. REST with idempotency, conditional GET and authorization; one order watched by
 * short poll, long poll, SSE, WebSocket, gRPC {@code WatchOrder} and stream-service's broadcast; SSE and
 * WebSocket replay; gRPC unary, server, client and bidi streaming (order.v1 and stream.v1) with status
 * details and deadlines; JSON-to-gRPC; HTTP/1.1, h2c, h2 over TLS 1.3, TLS 1.2, TLS 1.1 refused, HTTP/3;
 * WebSocket pub/sub; WebRTC signaling; a signed webhook; rate limiting.
 */
class TourIT {

    private static Tour tour;

    @TestFactory
    Stream<DynamicTest> everyPatternThroughTheGateway() {
        FullSuite suite = FullSuite.shared();
        tour = new Tour(new Tour.Target(
                suite.gateway().httpUri(),
                suite.gateway().httpsUri(),
                suite.gateway().caCertificate()));
        return tour.steps().stream()
                .map(step -> DynamicTest.dynamicTest(
                        step.pattern(), () -> System.out.println(step.check().run())));
    }

    @AfterAll
    static void close() {
        if (tour != null) {
            tour.close();
        }
    }
}
