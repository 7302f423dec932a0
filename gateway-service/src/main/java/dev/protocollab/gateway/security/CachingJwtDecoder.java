package dev.protocollab.gateway.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtValidationException;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import reactor.core.publisher.Mono;

/**
 * Remembers tokens the delegate has verified, by their exact text, so a client that sends the same token
 * again is not charged another RS256 signature check (a quarter of the gateway's CPU under load, before
 * this). Sound because a JWT's claims are fixed by its signed text: the same string verified once verifies
 * again. What changes with time is re-checked on every hit by the same validator the delegate runs
 * (expiry, issuer, audience, subject), and a token that fails it is dropped. Only verified tokens are
 * kept, so a forged or malformed one is checked in full every time; entries leave at the token's expiry or
 * when {@code maximumSize} would be passed, whichever is first.
 */
final class CachingJwtDecoder implements ReactiveJwtDecoder {

    private final ReactiveJwtDecoder delegate;
    private final OAuth2TokenValidator<Jwt> validator;
    private final Cache<String, Jwt> verified;

    CachingJwtDecoder(ReactiveJwtDecoder delegate, OAuth2TokenValidator<Jwt> validator, long maximumSize, Clock clock) {
        this.delegate = delegate;
        this.validator = validator;
        this.verified = Caffeine.newBuilder()
                .maximumSize(maximumSize)
                .expireAfter(Expiry.<String, Jwt>creating((token, jwt) -> untilExpiry(jwt, clock)))
                .build();
    }

    @Override
    public Mono<Jwt> decode(String token) {
        Jwt cached = verified.getIfPresent(token);
        if (cached == null) {
            return delegate.decode(token).doOnNext(jwt -> verified.put(token, jwt));
        }
        OAuth2TokenValidatorResult result = validator.validate(cached);
        if (result.hasErrors()) {
            verified.invalidate(token);
            return Mono.error(new JwtValidationException(
                    "Unable to validate Jwt: "
                            + result.getErrors().iterator().next().getDescription(),
                    result.getErrors()));
        }
        return Mono.just(cached);
    }

    long size() {
        verified.cleanUp();
        return verified.estimatedSize();
    }

    private static Duration untilExpiry(Jwt jwt, Clock clock) {
        Instant expiresAt = jwt.getExpiresAt();
        // the validator refuses tokens without exp; should one pass, it is simply not worth keeping
        Duration left = expiresAt == null ? Duration.ZERO : Duration.between(clock.instant(), expiresAt);
        return left.isNegative() ? Duration.ZERO : left;
    }
}
