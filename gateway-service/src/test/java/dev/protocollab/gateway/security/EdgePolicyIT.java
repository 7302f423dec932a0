package dev.protocollab.gateway.security;

import static dev.protocollab.gateway.TestClients.uniqueUser;
import static org.assertj.core.api.Assertions.assertThat;

import dev.protocollab.gateway.Backends;
import dev.protocollab.gateway.IntegrationTest;
import dev.protocollab.gateway.TestClients;
import dev.protocollab.gateway.TestTokens;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** Authentication, rate limits, identity and tracing headers at the edge, seen by real clients and backends. */
@IntegrationTest
class EdgePolicyIT {

    @Autowired
    TestClients clients;

    private final Backends backends = Backends.get();

    static Stream<Arguments> badTokens() {
        return Stream.of(
                Arguments.of("expired", (Function<String, String>) TestTokens::expired),
                Arguments.of("forged", (Function<String, String>) TestTokens::forged),
                Arguments.of("alg none", (Function<String, String>) TestTokens::unsigned),
                Arguments.of("HS256 with the public key", (Function<String, String>) TestTokens::hmacWithPublicKey),
                Arguments.of("wrong audience", (Function<String, String>) TestTokens::wrongAudience),
                Arguments.of("wrong issuer", (Function<String, String>) TestTokens::wrongIssuer),
                Arguments.of("not a JWT", (Function<String, String>) subject -> "not-a-jwt"));
    }

    @ParameterizedTest(name = "{0} token is 401 with a problem body")
    @MethodSource("badTokens")
    void badTokensAreRefusedWith401Problems(String kind, Function<String, String> token) {
        int before = backends.ordersA().requests() + backends.ordersB().requests();

        HttpResponse<String> response = clients.get(clients.http("/api/orders/echo"), token.apply("mallory"));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(response.headers().firstValue("WWW-Authenticate"))
                .hasValueSatisfying(value -> assertThat(value).startsWith("Bearer"));
        JsonNode problem = TestClients.json(response.body());
        assertThat(problem.path("status").asInt()).isEqualTo(401);
        assertThat(problem.path("type").asString()).endsWith("/unauthenticated");
        assertThat(backends.ordersA().requests() + backends.ordersB().requests())
                .as("requests that reached a backend")
                .isEqualTo(before);
    }

    @Test
    void aMissingTokenIs401Problem() {
        HttpResponse<String> response = clients.get(clients.http("/api/orders/echo"), null);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(TestClients.json(response.body()).path("detail").asString()).contains("bearer token is required");
    }

    @Test
    void anUnknownPathIs404ProblemForAnAuthenticatedCaller() {
        HttpResponse<String> response = clients.get(clients.http("/no/such/route"), clients.token(uniqueUser("lost")));

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(TestClients.json(response.body()).path("type").asString()).endsWith("/no-route");
    }

    @Test
    void rateLimitAnswers429WithHeadersAfterTheBurst() {
        // the stream routes allow a burst of 3 at 1 request/s in these tests
        String token = clients.token(uniqueUser("greedy"));
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> allowed = clients.get(clients.http("/api/stream/metrics"), token);
            assertThat(allowed.statusCode()).as("request %d", i).isEqualTo(200);
            assertThat(allowed.headers().firstValue("RateLimit-Limit")).hasValue("3");
        }

        // a slow machine may refill a token between requests; the bucket still runs dry within a few more
        HttpResponse<String> refused = clients.get(clients.http("/api/stream/metrics"), token);
        for (int i = 0; i < 3 && refused.statusCode() == 200; i++) {
            refused = clients.get(clients.http("/api/stream/metrics"), token);
        }

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(refused.headers().firstValue("RateLimit-Remaining")).hasValue("0");
        assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(TestClients.json(refused.body()).path("type").asString()).endsWith("/rate-limited");
        // another user has a bucket of their own
        assertThat(clients.get(clients.http("/api/stream/metrics"), clients.token(uniqueUser("patient")))
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void eachRouteHasABucketOfItsOwn() {
        String token = clients.token(uniqueUser("busy"));
        HttpResponse<String> stream = clients.get(clients.http("/api/stream/metrics"), token);
        for (int i = 0; i < 6 && stream.statusCode() == 200; i++) {
            stream = clients.get(clients.http("/api/stream/metrics"), token);
        }
        assertThat(stream.statusCode()).as("the stream route's bucket is empty").isEqualTo(429);

        HttpResponse<String> orders = clients.get(clients.http("/api/orders/echo"), token);

        // a bucket shared by the user's routes would be empty (or nearly) here, whatever the orders route's burst
        assertThat(orders.statusCode()).isEqualTo(200);
        assertThat(orders.headers().firstValue("RateLimit-Limit")).hasValue("40");
        assertThat(orders.headers().firstValue("RateLimit-Remaining")).hasValue("39");
    }

    @Test
    void aUserCannotReadAnotherUsersOrderOverHttp1Http2Http3OrTranscodedJson() {
        String alice = uniqueUser("alice");
        String order = backends.newOrder(alice);
        String bob = clients.token(uniqueUser("bob"));

        assertThat(clients.get(clients.http("/api/orders/" + order), clients.token(alice))
                        .statusCode())
                .isEqualTo(200);
        assertThat(clients.get(clients.http("/api/orders/" + order), bob).statusCode())
                .isEqualTo(404);
        assertThat(clients.getHttp2(clients.https("/api/orders/" + order), bob).statusCode())
                .isEqualTo(404);
        assertThat(clients.get(clients.http("/rpc/orders/" + order), bob).statusCode())
                .isEqualTo(404);
        int overHttp3 = clients.http3Client()
                .headers(headers -> headers.set("Authorization", "Bearer " + bob))
                .get()
                .uri("https://127.0.0.1:" + clients.http3Port() + "/api/orders/" + order)
                .response()
                .map(response -> response.status().code())
                .block(Duration.ofSeconds(15));
        assertThat(overHttp3).isEqualTo(404);
    }

    @Test
    void aBodyOverTheLimitIs413BeforeItReachesTheBackend() {
        int before = backends.ordersA().requests() + backends.ordersB().requests();

        HttpResponse<String> response =
                clients.send(clients.request(clients.http("/api/orders"), clients.token(uniqueUser("bulky")))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"pad\":\"" + "x".repeat(1024 * 1024) + "\"}"))
                        .build());

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(backends.ordersA().requests() + backends.ordersB().requests())
                .as("requests that reached a backend")
                .isEqualTo(before);
    }

    @Test
    void headersOverTheLimitAre431() {
        HttpResponse<String> response =
                clients.send(clients.request(clients.http("/api/orders/echo"), clients.token(uniqueUser("verbose")))
                        .header("X-Padding", "x".repeat(17 * 1024))
                        .build());

        assertThat(response.statusCode()).isEqualTo(431);
    }

    @Test
    void webhooksAreRoutedToNotificationService() {
        HttpResponse<String> response = clients.get(clients.http("/api/webhooks"), clients.token(uniqueUser("hooked")));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(TestClients.json(response.body()).path("instance").asString())
                .startsWith("notifications-");
    }

    @Test
    void aSpoofedCustomerHeaderNeverReachesTheBackend() {
        String alice = uniqueUser("alice");
        String order = backends.newOrder(alice);
        String bob = clients.token(uniqueUser("bob"));

        HttpResponse<String> response = clients.send(clients.request(clients.http("/api/orders/" + order), bob)
                .header("X-Customer-Id", alice)
                .build());

        assertThat(response.statusCode()).isEqualTo(404);
    }

    @Test
    void transcodedGetOrderAnswersProto3Json() {
        String alice = uniqueUser("alice");
        String order = backends.newOrder(alice);

        HttpResponse<String> response = clients.get(clients.http("/rpc/orders/" + order), clients.token(alice));

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode json = TestClients.json(response.body());
        assertThat(json.path("id").asString()).isEqualTo(order);
        assertThat(json.path("customerId").asString()).isEqualTo(alice);
        assertThat(json.path("status").asString()).isEqualTo("ORDER_STATUS_PENDING");
    }

    @Test
    void requestIdIsGeneratedAndTraceContextPropagated() {
        HttpResponse<String> response =
                clients.get(clients.http("/api/orders/echo"), clients.token(uniqueUser("traced")));

        JsonNode seen = TestClients.json(response.body());
        String requestId = response.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(seen.path("x-request-id").asString()).isEqualTo(requestId);
        assertThat(seen.path("traceparent").asString()).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]");
        assertThat(seen.path("authorization").asString()).startsWith("Bearer ");
    }

    @Test
    void aCallersTraceIsContinuedToTheBackend() {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        HttpResponse<String> response =
                clients.send(clients.request(clients.http("/api/orders/echo"), clients.token(uniqueUser("traced")))
                        .header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01")
                        .build());

        String forwarded = TestClients.json(response.body()).path("traceparent").asString();
        assertThat(forwarded).startsWith("00-" + traceId + "-").doesNotContain("00f067aa0ba902b7");
    }

    @Test
    void aCallersRequestIdIsKept() {
        HttpResponse<String> response =
                clients.send(clients.request(clients.http("/api/orders/echo"), clients.token(uniqueUser("traced")))
                        .header("X-Request-Id", "my-request-42")
                        .build());

        assertThat(response.headers().firstValue("X-Request-Id")).hasValue("my-request-42");
        assertThat(TestClients.json(response.body()).path("x-request-id").asString())
                .isEqualTo("my-request-42");
    }

    @Test
    void corsPreflightFromTheUiOriginIsAllowedWithoutAToken() {
        HttpResponse<String> response = clients.send(clients.request(clients.http("/api/orders"), null)
                .method("OPTIONS", java.net.http.HttpRequest.BodyPublishers.noBody())
                .header("Origin", "http://localhost:5173")
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization,content-type")
                .build());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).hasValue("http://localhost:5173");
    }

    @Test
    void actuatorIsOnTheManagementPortAndNeverRouted() {
        URI management = URI.create("http://127.0.0.1:" + clients.managementPort() + "/actuator/health");

        assertThat(clients.get(management, null).body()).contains("\"status\":\"UP\"");
        assertThat(clients.get(clients.http("/actuator/health"), clients.token(uniqueUser("nosy")))
                        .statusCode())
                .isEqualTo(404);
    }
}
