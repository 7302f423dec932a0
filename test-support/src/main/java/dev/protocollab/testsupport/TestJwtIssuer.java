package dev.protocollab.testsupport;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A real RS256 token issuer for tests, serving its public key as a JWKS over HTTP on loopback exactly as
 * the gateway's development issuer does, so services validate tokens through their production
 * configuration ({@code jwk-set-uri}) rather than a test-only decoder.
 */
public final class TestJwtIssuer implements AutoCloseable {

    /** The issuer and audience every Protocol Lab token carries; services reject anything else. */
    public static final String ISSUER = "protocol-lab";

    public static final String AUDIENCE = "protocol-lab";

    /** A service allowed the OAuth2 client-credentials grant, and the scopes its tokens carry. */
    public record Client(String id, String secret, String scope) {}

    private final RSAKey key;
    private final HttpServer server;
    private final Map<String, Client> clients = new ConcurrentHashMap<>();

    private TestJwtIssuer(RSAKey key, HttpServer server) {
        this.key = key;
        this.server = server;
    }

    public static TestJwtIssuer start() {
        try {
            RSAKey key = newKey("test-key");
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            byte[] jwks = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
            server.createContext("/.well-known/jwks.json", exchange -> {
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, jwks.length);
                try (OutputStream body = exchange.getResponseBody()) {
                    body.write(jwks);
                }
            });
            TestJwtIssuer issuer = new TestJwtIssuer(key, server);
            server.createContext("/oauth2/token", issuer::clientCredentials);
            server.start();
            return issuer;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the test JWKS server", e);
        }
    }

    public URI jwksUri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/.well-known/jwks.json");
    }

    /** The OAuth2 token endpoint (RFC 6749 §4.4, client credentials with HTTP Basic client authentication). */
    public URI tokenUri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/oauth2/token");
    }

    /** Lets {@code id}/{@code secret} obtain tokens carrying {@code scope} from {@link #tokenUri()}. */
    public TestJwtIssuer registerClient(String id, String secret, String scope) {
        clients.put(id, new Client(id, secret, scope));
        return this;
    }

    /** A token as the client-credentials grant would issue it to service {@code client}. */
    public String serviceToken(String client, String scope) {
        return token(client, claims -> claims.claim("scope", scope));
    }

    /** How many tokens the endpoint has issued: lets a test see that a client caches its token. */
    public int issuedClientTokens() {
        return issued.get();
    }

    private final AtomicInteger issued = new AtomicInteger();

    private void clientCredentials(HttpExchange exchange) throws IOException {
        try (exchange) {
            String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Map<String, String> parameters = new HashMap<>();
            for (String pair : form.split("&")) {
                int equals = pair.indexOf('=');
                if (equals > 0) {
                    parameters.put(
                            URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
                }
            }
            String[] credentials = basicCredentials(exchange.getRequestHeaders().getFirst("Authorization"));
            if (credentials == null) {
                credentials = new String[] {parameters.get("client_id"), parameters.get("client_secret")};
            }
            Client client = credentials[0] == null ? null : clients.get(credentials[0]);
            if (!"POST".equals(exchange.getRequestMethod())
                    || !"client_credentials".equals(parameters.get("grant_type"))
                    || client == null
                    || !client.secret().equals(credentials[1])) {
                respond(exchange, 401, "{\"error\":\"invalid_client\"}");
                return;
            }
            issued.incrementAndGet();
            respond(
                    exchange,
                    200,
                    "{\"access_token\":\"" + serviceToken(client.id(), client.scope())
                            + "\",\"token_type\":\"Bearer\",\"expires_in\":3600,\"scope\":\"" + client.scope()
                            + "\"}");
        }
    }

    private static String[] basicCredentials(String header) {
        if (header == null || !header.startsWith("Basic ")) {
            return null;
        }
        String decoded = new String(Base64.getDecoder().decode(header.substring(6)), StandardCharsets.UTF_8);
        int colon = decoded.indexOf(':');
        return colon < 0
                ? null
                : new String[] {
                    URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8),
                    URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8)
                };
    }

    private static void respond(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.getResponseHeaders().add("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    /** A valid token for {@code subject}, good for an hour. */
    public String token(String subject) {
        return token(subject, claims -> {});
    }

    /** A token for {@code subject} whose claims the caller may change, still signed with the real key. */
    public String token(String subject, Consumer<JWTClaimsSet.Builder> customizer) {
        return sign(key, claims(subject, customizer));
    }

    public String expiredToken(String subject) {
        Instant past = Instant.now().minus(Duration.ofHours(2));
        return token(
                subject,
                claims ->
                        claims.issueTime(Date.from(past)).expirationTime(Date.from(past.plus(Duration.ofMinutes(5)))));
    }

    public String wrongAudienceToken(String subject) {
        return token(subject, claims -> claims.audience("someone-else"));
    }

    /** Signed by a key the JWKS does not hold, under the same key id: a forgery. */
    public String forgedToken(String subject) {
        return sign(newKey(key.getKeyID()), claims(subject, claims -> {}));
    }

    /** {@code alg: none}: no signature at all. */
    public String unsignedToken(String subject) {
        return new PlainJWT(claims(subject, claims -> {})).serialize();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private static JWTClaimsSet claims(String subject, Consumer<JWTClaimsSet.Builder> customizer) {
        Instant now = Instant.now();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .subject(subject)
                .issuer(ISSUER)
                .audience(AUDIENCE)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofHours(1))))
                .jwtID(UUID.randomUUID().toString());
        customizer.accept(claims);
        return claims.build();
    }

    private static String sign(RSAKey signingKey, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(
                    new JWSHeader.Builder(JWSAlgorithm.RS256)
                            .keyID(signingKey.getKeyID())
                            .type(JOSEObjectType.JWT)
                            .build(),
                    claims);
            jwt.sign(new RSASSASigner(signingKey));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static RSAKey newKey(String keyId) {
        try {
            return new RSAKeyGenerator(2048)
                    .keyID(keyId)
                    .keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.RS256)
                    .generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
