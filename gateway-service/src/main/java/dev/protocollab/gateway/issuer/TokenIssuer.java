package dev.protocollab.gateway.issuer;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.protocollab.gateway.GatewayProperties;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * Signs Protocol Lab's access tokens: RS256 with a {@code kid}, {@code iss} and {@code aud}
 * "protocol-lab", {@code sub}, {@code iat}, {@code exp}, {@code jti} and {@code scope}. The gateway
 * validates them with the public half in-process; services fetch it from {@code /.well-known/jwks.json}.
 */
@Component
public class TokenIssuer {

    private final RSAKey key;
    private final RSASSASigner signer;
    private final GatewayProperties.Issuer settings;
    private final Clock clock;
    private final Map<String, Object> jwks;

    TokenIssuer(GatewayProperties properties) {
        this.settings = properties.issuer();
        this.key = SigningKey.load(settings.privateKey(), settings.keyDirectory());
        this.clock = Clock.systemUTC();
        this.jwks = new JWKSet(key.toPublicJWK()).toJSONObject();
        try {
            this.signer = new RSASSASigner(key);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A token for {@code subject} with {@code scope}, valid for the configured lifetime. */
    public Token issue(String subject, String scope) {
        return issue(subject, scope, settings.tokenLifetime());
    }

    Token issue(String subject, String scope, Duration lifetime) {
        Instant now = clock.instant();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(settings.issuer())
                .audience(settings.audience())
                .subject(subject)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(lifetime)))
                .jwtID(UUID.randomUUID().toString())
                .claim("scope", scope)
                .build();
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.RS256)
                        .keyID(key.getKeyID())
                        .type(JOSEObjectType.JWT)
                        .build(),
                claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a token", e);
        }
        return new Token(jwt.serialize(), lifetime.toSeconds(), scope);
    }

    public RSAPublicKey publicKey() {
        try {
            return key.toRSAPublicKey();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public String keyId() {
        return key.getKeyID();
    }

    Map<String, Object> jwks() {
        return jwks;
    }

    /** A signed token and what the OAuth2 token response says about it. */
    public record Token(String value, long expiresIn, String scope) {}
}
