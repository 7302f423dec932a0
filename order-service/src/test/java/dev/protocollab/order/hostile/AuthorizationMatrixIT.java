package dev.protocollab.order.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.protocollab.order.IntegrationTest;
import dev.protocollab.order.TestClients;
import dev.protocollab.testsupport.TestJwtIssuer;
import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.Status;
import java.net.http.HttpRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * OWASP API2 (broken authentication) as a matrix: every REST route and every gRPC method (unary and all
 * three kinds of stream) against every kind of bad credential. Each must be refused (401 problem+json with
 * an RFC 6750 challenge; {@code UNAUTHENTICATED}) before the route or method does anything.
 */
@IntegrationTest
class AuthorizationMatrixIT {

    /** A kind of bad credential: the {@code Authorization} header value it sends, or null for none. */
    private static final Map<String, Function<TestJwtIssuer, String>> BAD_CREDENTIALS = new LinkedHashMap<>();

    static {
        BAD_CREDENTIALS.put("missing", issuer -> null);
        BAD_CREDENTIALS.put("expired", issuer -> "Bearer " + issuer.expiredToken("alice"));
        BAD_CREDENTIALS.put("forged signature", issuer -> "Bearer " + issuer.forgedToken("alice"));
        BAD_CREDENTIALS.put("alg none", issuer -> "Bearer " + issuer.unsignedToken("alice"));
        BAD_CREDENTIALS.put("HS256 with a guessed secret", issuer -> "Bearer " + hmacToken("alice"));
        BAD_CREDENTIALS.put("wrong audience", issuer -> "Bearer " + issuer.wrongAudienceToken("alice"));
        BAD_CREDENTIALS.put(
                "wrong issuer", issuer -> "Bearer " + issuer.token("alice", claims -> claims.issuer("someone-else")));
        BAD_CREDENTIALS.put(
                "not yet valid",
                issuer -> "Bearer "
                        + issuer.token(
                                "alice",
                                claims -> claims.notBeforeTime(
                                        Date.from(Instant.now().plusSeconds(3600)))));
        BAD_CREDENTIALS.put(
                "without expiry", issuer -> "Bearer " + issuer.token("alice", claims -> claims.expirationTime(null)));
        BAD_CREDENTIALS.put(
                "subject not a customer id",
                issuer -> "Bearer " + issuer.token("alice", claims -> claims.subject("alice/../bob")));
        BAD_CREDENTIALS.put("not a JWT", issuer -> "Bearer not-a-jwt");
        BAD_CREDENTIALS.put("empty bearer", issuer -> "Bearer ");
        BAD_CREDENTIALS.put("basic scheme", issuer -> "Basic YWxpY2U6c2VjcmV0");
        BAD_CREDENTIALS.put("token without scheme", issuer -> issuer.token("alice"));
    }

    private static final String SOME_ORDER = "00000000-0000-0000-0000-000000000001";

    /** Every REST route: method and path. */
    private static final List<String[]> ROUTES = List.of(
            new String[] {"POST", "/api/orders"},
            new String[] {"GET", "/api/orders"},
            new String[] {"GET", "/api/orders/" + SOME_ORDER},
            new String[] {"POST", "/api/orders/" + SOME_ORDER + "/cancel"},
            new String[] {"GET", "/api/orders/" + SOME_ORDER + "/status"},
            new String[] {"GET", "/api/orders/" + SOME_ORDER + "/status?after=0&wait=PT5S"});

    @Autowired
    TestClients clients;

    private String aliceOrder;

    @BeforeEach
    void anOrderExists() {
        aliceOrder = clients.createOrder("alice").path("id").asString();
    }

    static Stream<Arguments> restMatrix() {
        List<Arguments> cases = new ArrayList<>();
        for (String credential : BAD_CREDENTIALS.keySet()) {
            for (String[] route : ROUTES) {
                cases.add(Arguments.of(credential, route[0], route[1]));
            }
        }
        return cases.stream();
    }

    static Stream<Arguments> grpcMatrix() {
        List<Arguments> cases = new ArrayList<>();
        for (String credential : BAD_CREDENTIALS.keySet()) {
            for (String method : GrpcCalls.METHODS.keySet()) {
                cases.add(Arguments.of(credential, method));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}: {1} {2}")
    @MethodSource("restMatrix")
    void everyRouteRefusesEveryBadCredentialWith401(String credential, String method, String path) {
        String authorization = BAD_CREDENTIALS.get(credential).apply(clients.issuer());
        HttpRequest.Builder request = HttpRequest.newBuilder(clients.uri(path.replace(SOME_ORDER, aliceOrder)))
                .header("Content-Type", "application/json")
                .header("If-Match", "\"1\"")
                .method(
                        method,
                        method.equals("POST")
                                ? HttpRequest.BodyPublishers.ofString(
                                        "{\"items\":[{\"sku\":\"A\",\"quantity\":1,\"unitPrice\":\"1.00\"}],\"currency\":\"EUR\"}")
                                : HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            request.header("Authorization", authorization);
        }

        TestClients.Response response = clients.send(request.build());

        assertThat(response.status()).as(response.body()).isEqualTo(401);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.header("WWW-Authenticate")).startsWith("Bearer");
        assertThat(clients.get("alice", "/api/orders/" + aliceOrder)
                        .json()
                        .path("status")
                        .asString())
                .as("the refused request changed nothing")
                .isEqualTo("PENDING");
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("grpcMatrix")
    void everyGrpcMethodRefusesEveryBadCredentialWithUnauthenticated(String credential, String method) {
        String authorization = BAD_CREDENTIALS.get(credential).apply(clients.issuer());

        Status status = GrpcCalls.call(method, clients.channel(), authorization(authorization), aliceOrder);

        assertThat(status.getCode()).as(status.toString()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(clients.get("alice", "/api/orders/" + aliceOrder)
                        .json()
                        .path("status")
                        .asString())
                .isEqualTo("PENDING");
    }

    private static CallCredentials authorization(String value) {
        if (value == null) {
            return null;
        }
        return new CallCredentials() {
            @Override
            public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
                Metadata metadata = new Metadata();
                metadata.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), value);
                applier.apply(metadata);
            }
        };
    }

    /** The classic algorithm-confusion attempt: HMAC-signed, hoping the server accepts any algorithm. */
    private static String hmacToken(String subject) {
        try {
            SignedJWT jwt = new SignedJWT(
                    new JWSHeader(JWSAlgorithm.HS256),
                    new JWTClaimsSet.Builder()
                            .subject(subject)
                            .issuer(TestJwtIssuer.ISSUER)
                            .audience(TestJwtIssuer.AUDIENCE)
                            .expirationTime(Date.from(Instant.now().plusSeconds(3600)))
                            .build());
            jwt.sign(new MACSigner("a-secret-of-at-least-thirty-two-bytes!!".getBytes()));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
