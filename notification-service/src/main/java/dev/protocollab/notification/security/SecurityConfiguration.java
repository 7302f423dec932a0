package dev.protocollab.notification.security;

import dev.protocollab.notification.NotificationsProperties;
import jakarta.servlet.DispatcherType;
import java.util.List;
import java.util.Set;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.client.RestTemplate;

/**
 * notification-service is an OAuth2 resource server with order-service's rules: a bearer JWT signed by
 * the gateway's issuer (RS256, keys from its JWKS) with the Protocol Lab issuer and audience; its
 * subject is the user. No sessions and no cookies, so no CSRF, and a WebSocket handshake cannot ride on a
 * victim's cookies either. Management endpoints live on the management port, outside this chain.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    static final String STREAM_PATH = "/api/notifications/stream";
    static final String WEBSOCKET_PATH = "/ws/notifications";

    @Bean
    SecurityFilterChain api(HttpSecurity http, ProblemAuthenticationEntryPoint problems) throws Exception {
        http.securityMatcher("/api/**", "/ws/**")
                .authorizeHttpRequests(requests -> requests
                        // An SSE stream completes in an ASYNC dispatch and errors render in an ERROR
                        // dispatch; both belong to a request that was authenticated when it arrived.
                        .dispatcherTypeMatchers(DispatcherType.ASYNC, DispatcherType.ERROR)
                        .permitAll()
                        .anyRequest()
                        .authenticated())
                .oauth2ResourceServer(resourceServer -> resourceServer
                        .jwt(Customizer.withDefaults())
                        .bearerTokenResolver(new QueryParameterTokenResolver(Set.of(STREAM_PATH, WEBSOCKET_PATH)))
                        .authenticationEntryPoint(problems))
                .exceptionHandling(exceptions -> exceptions.authenticationEntryPoint(problems))
                .sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(cache -> cache.disable())
                .csrf(csrf -> csrf.disable());
        return http.build();
    }

    /**
     * Keys come from the issuer's JWKS (cached, refetched for an unknown key id) over a call with a
     * deadline; tokens must be unexpired and carry our issuer and audience. {@code alg: none} and HMAC
     * tokens never verify: only RS256 keys are accepted.
     */
    @Bean
    JwtDecoder jwtDecoder(
            @Value("${spring.security.oauth2.resourceserver.jwt.jwk-set-uri}") String jwkSetUri,
            NotificationsProperties properties) {
        SimpleClientHttpRequestFactory requests = new SimpleClientHttpRequestFactory();
        requests.setConnectTimeout(properties.security().jwksConnectTimeout());
        requests.setReadTimeout(properties.security().jwksReadTimeout());
        NimbusJwtDecoder decoder = NimbusJwtDecoder.withJwkSetUri(jwkSetUri)
                .restOperations(new RestTemplate(requests))
                .build();
        String audience = properties.security().audience();
        decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(
                JwtValidators.createDefaultWithIssuer(properties.security().issuer()),
                new JwtClaimValidator<List<String>>("aud", aud -> aud != null && aud.contains(audience)),
                new JwtClaimValidator<String>("sub", User::isValid)));
        return decoder;
    }
}
