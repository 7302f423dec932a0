package dev.protocollab.notification.enrichment;

import dev.protocollab.contracts.order.v1.OrderServiceGrpc;
import dev.protocollab.notification.NotificationsProperties;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedRetryMetrics;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpClient;
import java.util.EnumSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.grpc.client.GrpcChannelFactory;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.converter.FormHttpMessageConverter;
import org.springframework.security.oauth2.client.AuthorizedClientServiceOAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientProviderBuilder;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.endpoint.RestClientClientCredentialsTokenResponseClient;
import org.springframework.security.oauth2.client.http.OAuth2ErrorResponseErrorHandler;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.core.http.converter.OAuth2AccessTokenResponseHttpMessageConverter;
import org.springframework.web.client.RestClient;

/**
 * The gRPC channel to order-service, the client-credentials token that calls it, and the retry and
 * circuit breaker around each call, all from named settings ({@code notifications.order-service.*},
 * {@code spring.grpc.client.channels.order-service}, {@code spring.security.oauth2.client.registration.
 * order-service}). Breaker state and retry counts are Micrometer meters ({@code resilience4j_*}).
 */
@Configuration(proxyBeanMethods = false)
class EnrichmentConfiguration {

    private static final Logger log = LoggerFactory.getLogger(EnrichmentConfiguration.class);

    /** Failures that say something about order-service's health; NOT_FOUND and the like do not. */
    private static final Set<Status.Code> FAILURES = EnumSet.of(
            Status.Code.UNAVAILABLE,
            Status.Code.DEADLINE_EXCEEDED,
            Status.Code.INTERNAL,
            Status.Code.UNKNOWN,
            Status.Code.RESOURCE_EXHAUSTED,
            Status.Code.UNAUTHENTICATED);

    @Bean
    ManagedChannel orderServiceChannel(GrpcChannelFactory channels, NotificationsProperties properties) {
        return channels.createChannel(properties.orderService().channel());
    }

    @Bean
    CircuitBreaker orderServiceBreaker(
            NotificationsProperties properties, ManagedChannel orderServiceChannel, MeterRegistry meters) {
        NotificationsProperties.OrderService.CircuitBreaker settings =
                properties.orderService().circuitBreaker();
        CircuitBreakerRegistry registry = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
                .slidingWindowSize(settings.slidingWindowSize())
                .minimumNumberOfCalls(settings.minimumNumberOfCalls())
                .failureRateThreshold(settings.failureRateThreshold())
                .waitDurationInOpenState(settings.waitInOpenState())
                .permittedNumberOfCallsInHalfOpenState(settings.permittedCallsInHalfOpenState())
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .recordException(EnrichmentConfiguration::isFailure)
                .build());
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(registry).bindTo(meters);
        CircuitBreaker breaker = registry.circuitBreaker(NotificationsProperties.OrderService.BREAKER);
        breaker.getEventPublisher().onStateTransition(event -> {
            log.info("order-service circuit breaker: {}", event.getStateTransition());
            if (event.getStateTransition().getToState() == CircuitBreaker.State.HALF_OPEN) {
                // After a long outage the channel's reconnect backoff may be minutes; the trial calls
                // should try a fresh connection now, not fail fast on the old backoff.
                orderServiceChannel.resetConnectBackoff();
            }
        });
        return breaker;
    }

    @Bean
    Retry orderServiceRetry(NotificationsProperties properties, MeterRegistry meters) {
        NotificationsProperties.OrderService.Retry settings =
                properties.orderService().retry();
        RetryRegistry registry = RetryRegistry.of(RetryConfig.custom()
                .maxAttempts(settings.maxAttempts())
                .intervalFunction(
                        IntervalFunction.ofExponentialBackoff(settings.initialBackoff(), settings.multiplier()))
                .retryOnException(e ->
                        e instanceof StatusRuntimeException s && s.getStatus().getCode() == Status.Code.UNAVAILABLE)
                .build());
        TaggedRetryMetrics.ofRetryRegistry(registry).bindTo(meters);
        return registry.retry(NotificationsProperties.OrderService.BREAKER);
    }

    /**
     * Spring Security's client-credentials support with our own HTTP client, so the token request has a
     * connect and a read timeout like every other outbound call.
     */
    @Bean
    ServiceToken serviceToken(
            ClientRegistrationRepository registrations,
            OAuth2AuthorizedClientService authorizedClients,
            NotificationsProperties properties) {
        NotificationsProperties.OrderService settings = properties.orderService();
        JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(HttpClient.newBuilder()
                // HTTP/1.1: the JDK's default HTTP/2 sends a cleartext POST as an h2c upgrade, which the
                // gateway's Netty server answers 413 for any request with a body (ADR 0100).
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.tokenConnectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build());
        requests.setReadTimeout(settings.tokenReadTimeout());
        RestClientClientCredentialsTokenResponseClient tokenClient =
                new RestClientClientCredentialsTokenResponseClient();
        tokenClient.setRestClient(RestClient.builder()
                .requestFactory(requests)
                .configureMessageConverters(converters -> converters
                        .disableDefaults()
                        .addCustomConverter(new FormHttpMessageConverter())
                        .addCustomConverter(new OAuth2AccessTokenResponseHttpMessageConverter()))
                .defaultStatusHandler(new OAuth2ErrorResponseErrorHandler())
                .build());
        AuthorizedClientServiceOAuth2AuthorizedClientManager manager =
                new AuthorizedClientServiceOAuth2AuthorizedClientManager(registrations, authorizedClients);
        manager.setAuthorizedClientProvider(OAuth2AuthorizedClientProviderBuilder.builder()
                .clientCredentials(credentials ->
                        credentials.accessTokenResponseClient(tokenClient).clockSkew(settings.tokenClockSkew()))
                .build());
        return new ServiceToken(manager, authorizedClients, settings.clientRegistration());
    }

    @Bean
    OrderLookup orderLookup(
            ManagedChannel orderServiceChannel,
            ServiceToken serviceToken,
            CircuitBreaker orderServiceBreaker,
            Retry orderServiceRetry,
            NotificationsProperties properties,
            MeterRegistry meters) {
        return new OrderLookup(
                OrderServiceGrpc.newBlockingStub(orderServiceChannel),
                serviceToken,
                properties.orderService().deadline(),
                orderServiceBreaker,
                orderServiceRetry,
                meters);
    }

    private static boolean isFailure(Throwable e) {
        return !(e instanceof StatusRuntimeException s)
                || FAILURES.contains(s.getStatus().getCode());
    }
}
