package dev.protocollab.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.JwtValidationException;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import reactor.core.publisher.Mono;

class CachingJwtDecoderTest {

    private static final RSAKey KEY = generate();

    private final MovableClock clock = new MovableClock(Instant.parse("2026-01-01T10:00:00Z"));
    private final OAuth2TokenValidator<Jwt> validator = validator();
    private final CountingDecoder verifier = new CountingDecoder(verifier(validator));
    private final CachingJwtDecoder decoder = new CachingJwtDecoder(verifier, validator, 2, clock);

    @Test
    void aTokenSeenAgainIsNotVerifiedAgain() {
        String token = token(KEY, "alice", "protocol-lab", Duration.ofMinutes(5));

        Jwt first = decoder.decode(token).block();
        Jwt second = decoder.decode(token).block();

        assertThat(second).isSameAs(first);
        assertThat(second.getSubject()).isEqualTo("alice");
        assertThat(verifier.calls).hasValue(1);
    }

    @Test
    void aCachedTokenIsRefusedOnceItHasExpired() {
        String token = token(KEY, "alice", "protocol-lab", Duration.ofMinutes(5));
        decoder.decode(token).block();

        clock.advance(Duration.ofMinutes(6));

        assertThatThrownBy(() -> decoder.decode(token).block())
                .isInstanceOf(JwtValidationException.class)
                .hasMessageContaining("expired");
        assertThat(decoder.size()).isZero();
    }

    @Test
    void aTokenThatFailsVerificationIsCheckedInFullEveryTime() {
        RSAKey other = generate();
        String forged = token(other, "mallory", "protocol-lab", Duration.ofMinutes(5));
        String wrongAudience = token(KEY, "mallory", "someone-else", Duration.ofMinutes(5));

        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> decoder.decode(forged).block()).isInstanceOf(BadJwtException.class);
            assertThatThrownBy(() -> decoder.decode(wrongAudience).block()).isInstanceOf(JwtValidationException.class);
        }

        assertThat(verifier.calls).hasValue(4);
        assertThat(decoder.size()).isZero();
    }

    @Test
    void theCacheHoldsNoMoreThanItsMaximum() {
        for (String user : List.of("a", "b", "c", "d", "e")) {
            decoder.decode(token(KEY, user, "protocol-lab", Duration.ofMinutes(5)))
                    .block();
        }

        assertThat(decoder.size()).isLessThanOrEqualTo(2);
    }

    private OAuth2TokenValidator<Jwt> validator() {
        JwtTimestampValidator timestamps = new JwtTimestampValidator(Duration.ZERO);
        timestamps.setClock(clock);
        return new DelegatingOAuth2TokenValidator<>(
                timestamps,
                new JwtClaimValidator<List<String>>("aud", aud -> aud != null && aud.contains("protocol-lab")));
    }

    private static ReactiveJwtDecoder verifier(OAuth2TokenValidator<Jwt> validator) {
        try {
            NimbusReactiveJwtDecoder nimbus = NimbusReactiveJwtDecoder.withPublicKey(KEY.toRSAPublicKey())
                    .signatureAlgorithm(SignatureAlgorithm.RS256)
                    .build();
            nimbus.setJwtValidator(validator);
            return nimbus;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String token(RSAKey key, String subject, String audience, Duration lifetime) {
        try {
            Instant now = clock.instant();
            SignedJWT jwt = new SignedJWT(
                    new JWSHeader.Builder(JWSAlgorithm.RS256)
                            .keyID(KEY.getKeyID())
                            .build(),
                    new JWTClaimsSet.Builder()
                            .subject(subject)
                            .audience(audience)
                            .issuer("protocol-lab")
                            .issueTime(Date.from(now))
                            .expirationTime(Date.from(now.plus(lifetime)))
                            .build());
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static RSAKey generate() {
        try {
            return new RSAKeyGenerator(2048).keyID("test").generate();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private record CountingDecoder(ReactiveJwtDecoder delegate, AtomicInteger calls) implements ReactiveJwtDecoder {

        CountingDecoder(ReactiveJwtDecoder delegate) {
            this(delegate, new AtomicInteger());
        }

        @Override
        public Mono<Jwt> decode(String token) {
            calls.incrementAndGet();
            return delegate.decode(token);
        }
    }

    private static final class MovableClock extends Clock {

        private Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
