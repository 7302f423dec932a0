package dev.protocollab.gateway.issuer;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import dev.protocollab.gateway.IntegrationTest;
import dev.protocollab.gateway.TestClients;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The development issuer as its clients use it: demo tokens, the client-credentials grant, the JWKS. */
@IntegrationTest
class IssuerIT {

    @Autowired
    TestClients clients;

    @Test
    void demoTokensAreRs256WithTheProtocolLabClaimsAndVerifyAgainstTheJwks() throws Exception {
        SignedJWT jwt = SignedJWT.parse(clients.token("alice"));

        assertThat(jwt.getHeader().getAlgorithm().getName()).isEqualTo("RS256");
        assertThat(jwt.getJWTClaimsSet().getIssuer()).isEqualTo("protocol-lab");
        assertThat(jwt.getJWTClaimsSet().getAudience()).containsExactly("protocol-lab");
        assertThat(jwt.getJWTClaimsSet().getSubject()).isEqualTo("alice");
        assertThat(jwt.getJWTClaimsSet().getJWTID()).isNotBlank();
        assertThat(jwt.getJWTClaimsSet().getStringClaim("scope")).doesNotContain("orders:read");
        assertThat(jwt.verify(new RSASSAVerifier(jwksKey(jwt.getHeader().getKeyID()))))
                .isTrue();
    }

    @Test
    void aServiceObtainsAnOrdersReadTokenWithClientCredentials() throws Exception {
        HttpResponse<String> response = clients.send(HttpRequest.newBuilder(clients.http("/oauth2/token"))
                .header("Authorization", basic("notification-service", "test-secret"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&scope=orders:read"))
                .build());

        assertThat(response.statusCode()).isEqualTo(200);
        var body = TestClients.json(response.body());
        assertThat(body.path("token_type").asString()).isEqualTo("Bearer");
        assertThat(body.path("expires_in").asLong()).isEqualTo(3600);
        SignedJWT jwt = SignedJWT.parse(body.path("access_token").asString());
        assertThat(jwt.getJWTClaimsSet().getSubject()).isEqualTo("notification-service");
        assertThat(jwt.getJWTClaimsSet().getStringClaim("scope")).isEqualTo("orders:read");
        assertThat(jwt.verify(new RSASSAVerifier(jwksKey(jwt.getHeader().getKeyID()))))
                .isTrue();
    }

    @Test
    void aWrongClientSecretIsInvalidClient() {
        HttpResponse<String> response = clients.send(HttpRequest.newBuilder(clients.http("/oauth2/token"))
                .header("Authorization", basic("notification-service", "guess"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
                .build());

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(TestClients.json(response.body()).path("error").asString()).isEqualTo("invalid_client");
    }

    @Test
    void aScopeBeyondTheRegistrationIsInvalidScope() {
        HttpResponse<String> response = clients.send(HttpRequest.newBuilder(clients.http("/oauth2/token"))
                .header("Authorization", basic("notification-service", "test-secret"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&scope=orders:write"))
                .build());

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(TestClients.json(response.body()).path("error").asString()).isEqualTo("invalid_scope");
    }

    @Test
    void anInvalidSubjectIsABadRequestProblem() {
        HttpResponse<String> response = clients.send(HttpRequest.newBuilder(clients.http("/auth/token"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"subject\":\"no spaces please\"}"))
                .build());

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    }

    private RSAKey jwksKey(String keyId) throws Exception {
        String jwks = clients.get(clients.http("/.well-known/jwks.json"), null).body();
        RSAKey key = (RSAKey) JWKSet.parse(jwks).getKeyByKeyId(keyId);
        assertThat(key).as("JWKS key %s", keyId).isNotNull();
        assertThat(key.isPrivate()).isFalse();
        return key;
    }

    private static String basic(String id, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((id + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }
}
