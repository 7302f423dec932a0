package dev.protocollab.gateway.grpc;

import dev.protocollab.gateway.GatewayProperties;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.gateway.config.HttpClientProperties;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.netty.http.client.HttpClient;

/** gRPC through the gateway: h2c routing, trailers-only errors kept whole, JSON to gRPC transcoding. */
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
    GetOrderTranscodingFilter getOrderTranscodingFilter(GatewayProperties properties) {
        return new GetOrderTranscodingFilter(properties.grpc().transcodingDeadline());
    }
}
