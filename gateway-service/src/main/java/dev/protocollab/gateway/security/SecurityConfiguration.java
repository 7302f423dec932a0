package dev.protocollab.gateway.security;

import dev.protocollab.gateway.GatewayProperties;
import dev.protocollab.gateway.issuer.TokenIssuer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.security.autoconfigure.actuate.web.reactive.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.convert.converter.Converter;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.MappedJwtClaimSetConverter;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.reactive.CorsConfigurationSource;
import org.springframework.web.cors.reactive.UrlBasedCorsConfigurationSource;

/**
 * The gateway checks every routed request's bearer JWT before it leaves the edge (services check it again:
 * defence in depth). Open: the UI, the issuer's endpoints, and gRPC health and reflection. Everything else,
 * including unknown paths, needs a valid token, so probing for routes without one learns nothing.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebFluxSecurity
class SecurityConfiguration {

    static final String[] OPEN = {
        "/",
        "/*.html",
        "/favicon.ico",
        "/assets/**",
        "/.well-known/jwks.json",
        "/auth/token",
        "/oauth2/token",
        "/grpc.health.v1.Health/**",
        "/grpc.reflection.v1.ServerReflection/**",
        "/grpc.reflection.v1alpha.ServerReflection/**"
    };

    /**
     * Actuator lives on the management port only (never routed); probes and Prometheus read it without a
     * token, and network policy keeps that port internal.
     */
    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    SecurityWebFilterChain management(ServerHttpSecurity http) {
        return http.securityMatcher(EndpointRequest.toAnyEndpoint())
                .authorizeExchange(exchanges -> exchanges.anyExchange().permitAll())
                .securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
                .requestCache(cache -> cache.disable())
                .csrf(csrf -> csrf.disable())
                .build();
    }

    @Bean
    SecurityWebFilterChain edge(
            ServerHttpSecurity http,
            ReactiveJwtDecoder decoder,
            ProblemAuthenticationEntryPoint problems,
            CorsConfigurationSource cors) {
        return http.authorizeExchange(exchanges ->
                        exchanges.pathMatchers(OPEN).permitAll().anyExchange().authenticated())
                .oauth2ResourceServer(resourceServer -> resourceServer
                        .jwt(jwt -> jwt.jwtDecoder(decoder))
                        .bearerTokenConverter(new BearerTokenConverter())
                        .authenticationEntryPoint(problems)
                        .accessDeniedHandler(problems))
                .exceptionHandling(exceptions ->
                        exceptions.authenticationEntryPoint(problems).accessDeniedHandler(problems))
                .securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
                .requestCache(cache -> cache.disable())
                .csrf(csrf -> csrf.disable())
                .httpBasic(basic -> basic.disable())
                .formLogin(form -> form.disable())
                .logout(logout -> logout.disable())
                .cors(corsSpec -> corsSpec.configurationSource(cors))
                // backends set their own caching headers (ETag, 304): the gateway must not override them
                .headers(headers -> headers.cache(cache -> cache.disable()))
                .build();
    }

    /**
     * The issuer's own public key, in-process: no JWKS round trip at the edge. RS256 only, so HMAC and
     * {@code alg: none} tokens never verify; issuer, audience, expiry and subject are checked, on every
     * request, including those whose signature {@link CachingJwtDecoder} has already verified.
     */
    @Bean
    ReactiveJwtDecoder jwtDecoder(TokenIssuer issuer, GatewayProperties properties) {
        NimbusReactiveJwtDecoder decoder = NimbusReactiveJwtDecoder.withPublicKey(issuer.publicKey())
                .signatureAlgorithm(SignatureAlgorithm.RS256)
                .build();
        String audience = properties.issuer().audience();
        OAuth2TokenValidator<Jwt> validator = new DelegatingOAuth2TokenValidator<>(
                JwtValidators.createDefaultWithIssuer(properties.issuer().issuer()),
                new JwtClaimValidator<List<String>>("aud", aud -> aud != null && aud.contains(audience)),
                new JwtClaimValidator<String>("sub", sub -> sub != null && !sub.isBlank()));
        decoder.setJwtValidator(validator);
        // Our issuer is a name, not a URL: the default converter first tries it as a URL, which throws and
        // catches an exception on every request. The issuer validator compares the string either way.
        Converter<Object, ?> issuerAsString = iss -> iss == null ? null : iss.toString();
        decoder.setClaimSetConverter(
                MappedJwtClaimSetConverter.withDefaults(Map.of(JwtClaimNames.ISS, issuerAsString)));
        long cacheSize = properties.tokenCache().maximumSize();
        return cacheSize == 0 ? decoder : new CachingJwtDecoder(decoder, validator, cacheSize, Clock.systemUTC());
    }

    /** The UI is served by the gateway itself; these origins are for a UI under development elsewhere. */
    @Bean
    CorsConfigurationSource corsConfigurationSource(GatewayProperties properties) {
        CorsConfiguration cors = new CorsConfiguration();
        cors.setAllowedOrigins(properties.corsOrigins());
        cors.setAllowedMethods(List.of("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"));
        cors.setAllowedHeaders(List.of("*"));
        cors.setExposedHeaders(List.of(
                "ETag",
                "Location",
                "Retry-After",
                "X-Request-Id",
                "x-protocol",
                "RateLimit-Limit",
                "RateLimit-Remaining",
                "RateLimit-Reset",
                "Idempotent-Replayed"));
        cors.setMaxAge(Duration.ofHours(1));
        UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
        source.registerCorsConfiguration("/**", cors);
        return source;
    }
}
