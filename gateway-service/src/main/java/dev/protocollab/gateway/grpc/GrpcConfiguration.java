package dev.protocollab.gateway.grpc;

import static org.springframework.cloud.gateway.support.RouteMetadataUtils.RESPONSE_TIMEOUT_ATTR;

import dev.protocollab.gateway.GatewayProperties;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.gateway.config.HttpClientProperties;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.cloud.gateway.route.builder.RouteLocatorBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.netty.http.client.HttpClient;

/** gRPC through the gateway: h2c routing, trailers-only errors kept whole, reflection, JSON to gRPC transcoding. */
@Configuration(proxyBeanMethods = false)
class GrpcConfiguration {

    @Bean
    H2cRoutingFilter h2cRoutingFilter(
            HttpClient httpClient,
            ObjectProvider<List<HttpHeadersFilter>> headersFilters,
            HttpClientProperties httpClientProperties,
            GatewayProperties properties) {
        return new H2cRoutingFilter(httpClient, headersFilters, httpClientProperties, properties);
    }

    @Bean
    GrpcTrailersOnlyFilter grpcTrailersOnlyFilter() {
        return new GrpcTrailersOnlyFilter();
    }

    @Bean(destroyMethod = "close")
    GatewayReflection gatewayReflection() {
        return new GatewayReflection();
    }

    /** Reflection calls go to the gateway's own reflection server, over h2c like every gRPC route. */
    @Bean
    RouteLocator grpcReflectionRoute(RouteLocatorBuilder routes, GatewayReflection reflection) {
        return routes.routes()
                .route(
                        "grpc-reflection",
                        route -> route.path(
                                        "/grpc.reflection.v1.ServerReflection/*",
                                        "/grpc.reflection.v1alpha.ServerReflection/*")
                                .metadata(H2cRoutingFilter.METADATA_KEY, true)
                                .metadata(RESPONSE_TIMEOUT_ATTR, -1)
                                .uri("http://127.0.0.1:" + reflection.port()))
                .build();
    }

    @Bean(destroyMethod = "close")
    GetOrderTranscodingFilter getOrderTranscodingFilter(GatewayProperties properties) {
        return new GetOrderTranscodingFilter(properties.grpc().transcodingDeadline());
    }
}
