package dev.protocollab.order.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.protocollab.contracts.order.v1.ListOrdersRequest;
import dev.protocollab.contracts.order.v1.OrderServiceGrpc;
import dev.protocollab.order.IntegrationTest;
import dev.protocollab.order.TestClients;
import dev.protocollab.testsupport.TestJwtIssuer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;

@IntegrationTest
class AuthenticationIT {

    @Autowired
    TestClients clients;

    static Iterable<String> badTokens() {
        return BAD_TOKENS.keySet();
    }

    private static final Map<String, Function<TestJwtIssuer, String>> BAD_TOKENS = Map.of(
            "expired", issuer -> issuer.expiredToken("alice"),
            "forged", issuer -> issuer.forgedToken("alice"),
            "alg none", issuer -> issuer.unsignedToken("alice"),
            "wrong audience", issuer -> issuer.wrongAudienceToken("alice"),
            "wrong issuer", issuer -> issuer.token("alice", claims -> claims.issuer("someone-else")),
            "not a JWT", issuer -> "not-a-jwt");

    @ParameterizedTest
    @MethodSource("badTokens")
    void restRefusesBadTokensWith401(String kind) {
        String token = BAD_TOKENS.get(kind).apply(clients.issuer());
        TestClients.Response response = clients.send(java.net.http.HttpRequest.newBuilder(clients.uri("/api/orders"))
                .header("Authorization", "Bearer " + token)
                .GET()
                .build());

        assertThat(response.status()).as(kind).isEqualTo(401);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.header("WWW-Authenticate")).contains("invalid_token");
    }

    @ParameterizedTest
    @MethodSource("badTokens")
    void grpcRefusesBadTokensWithUnauthenticated(String kind) {
        String token = BAD_TOKENS.get(kind).apply(clients.issuer());
        OrderServiceGrpc.OrderServiceBlockingStub stub = OrderServiceGrpc.newBlockingStub(clients.channel())
                .withCallCredentials(TestClients.bearerToken(token))
                .withDeadlineAfter(5, TimeUnit.SECONDS);

        assertThatThrownBy(() -> stub.listOrders(ListOrdersRequest.getDefaultInstance()))
                .as(kind)
                .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
    }

    @org.junit.jupiter.api.Test
    void grpcWithoutTokenIsUnauthenticatedAndTheDevelopmentHeaderIsOffByDefault() {
        io.grpc.Metadata header = new io.grpc.Metadata();
        header.put(io.grpc.Metadata.Key.of("x-customer-id", io.grpc.Metadata.ASCII_STRING_MARSHALLER), "alice");
        OrderServiceGrpc.OrderServiceBlockingStub stub = OrderServiceGrpc.newBlockingStub(clients.channel())
                .withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(header))
                .withDeadlineAfter(5, TimeUnit.SECONDS);

        assertThatThrownBy(() -> stub.listOrders(ListOrdersRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
        assertThat(clients.send(java.net.http.HttpRequest.newBuilder(clients.uri("/api/orders"))
                                .header("X-Customer-Id", "alice")
                                .GET()
                                .build())
                        .status())
                .isEqualTo(401);
    }
}
