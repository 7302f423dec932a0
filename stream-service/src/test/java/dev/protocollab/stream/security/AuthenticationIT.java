package dev.protocollab.stream.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.protocollab.contracts.stream.v1.StreamMessage;
import dev.protocollab.contracts.stream.v1.StreamServiceGrpc;
import dev.protocollab.contracts.stream.v1.Topic;
import dev.protocollab.contracts.stream.v1.WatchRequest;
import dev.protocollab.stream.IntegrationTest;
import dev.protocollab.stream.TestClients;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Every stream needs a valid token; the handshake's Origin is checked; gRPC health and reflection stay open. */
@IntegrationTest
class AuthenticationIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    TestClients clients;

    @Test
    void sseWithoutATokenIs401WithAChallengeAndAProblem() {
        HttpResponse<String> response = clients.get("/api/stream/orders", "Accept", "text/event-stream");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.path("type").asString()).isEqualTo("https://protocol-lab.dev/problems/unauthorized");
        assertThat(problem.path("status").asInt()).isEqualTo(401);
    }

    @ParameterizedTest
    @ValueSource(strings = {"expired", "forged", "unsigned", "wrong-audience"})
    void sseWithABadTokenIs401(String kind) {
        String token = switch (kind) {
            case "expired" -> clients.issuer().expiredToken("alice");
            case "forged" -> clients.issuer().forgedToken("alice");
            case "unsigned" -> clients.issuer().unsignedToken("alice");
            default -> clients.issuer().wrongAudienceToken("alice");
        };

        HttpResponse<String> response = clients.get("/api/stream/orders", "Authorization", "Bearer " + token);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate"))
                .hasValueSatisfying(challenge -> assertThat(challenge).startsWith("Bearer error=\"invalid_token\""));
    }

    /** EventSource cannot set headers: the token comes in the query (RFC 6750 §2.3). */
    @Test
    void sseAcceptsTheTokenAsAnAccessTokenQueryParameter() throws Exception {
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        HttpRequest request = HttpRequest.newBuilder(clients.uri("/api/stream/metrics?access_token=" + clients.token()))
                .header("Accept", "text/event-stream")
                .timeout(Duration.ofSeconds(10))
                .build();

        HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
            assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
        }
    }

    @Test
    void aWebSocketHandshakeWithoutATokenIsRefusedWith401() {
        try (TestClients.Ws ws = clients.webSocket("/ws/stream", TestClients.GATEWAY_ORIGIN)) {
            assertThat(ws.awaitFailure())
                    .isInstanceOf(WebSocketClientHandshakeException.class)
                    .hasMessageContaining("401");
        }
    }

    @Test
    void aWebSocketHandshakeFromAForeignOriginIsRefusedWith403EvenWithAToken() {
        try (TestClients.Ws stream =
                        clients.webSocket("/ws/stream?access_token=" + clients.token(), "https://evil.example");
                TestClients.Ws signal =
                        clients.webSocket("/ws/signal?access_token=" + clients.token(), "http://localhost:9999")) {
            assertThat(stream.awaitFailure()).hasMessageContaining("403");
            assertThat(signal.awaitFailure()).hasMessageContaining("403");
        }
    }

    @Test
    void grpcWithoutOrWithABadTokenIsUnauthenticated() {
        StreamServiceGrpc.StreamServiceBlockingStub anonymous =
                StreamServiceGrpc.newBlockingStub(clients.channel()).withDeadlineAfter(10, TimeUnit.SECONDS);
        StreamServiceGrpc.StreamServiceBlockingStub forged = anonymous.withCallCredentials(
                TestClients.bearerToken(clients.issuer().forgedToken("alice")));
        WatchRequest request =
                WatchRequest.newBuilder().addTopics(Topic.TOPIC_ORDERS).build();

        for (StreamServiceGrpc.StreamServiceBlockingStub stub :
                new StreamServiceGrpc.StreamServiceBlockingStub[] {anonymous, forged}) {
            Iterator<StreamMessage> messages = stub.watch(request);
            assertThatThrownBy(messages::hasNext)
                    .isInstanceOfSatisfying(
                            StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
        }
    }

    @Test
    void grpcHealthAndReflectionAnswerWithoutAToken() throws Exception {
        HealthCheckResponse health = HealthGrpc.newBlockingStub(clients.channel())
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance());
        assertThat(health.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);

        CompletableFuture<ServerReflectionResponse> listed = new CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> reflection = ServerReflectionGrpc.newStub(clients.channel())
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .serverReflectionInfo(new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse value) {
                        listed.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        listed.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {}
                });
        reflection.onNext(
                ServerReflectionRequest.newBuilder().setListServices("").build());
        reflection.onCompleted();
        assertThat(listed.get(10, TimeUnit.SECONDS).getListServicesResponse().getServiceList())
                .extracting(service -> service.getName())
                .contains(StreamServiceGrpc.SERVICE_NAME, "grpc.health.v1.Health");
    }
}
