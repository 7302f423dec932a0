package dev.protocollab.stream.websocket;

import dev.protocollab.stream.StreamProperties;
import dev.protocollab.stream.signaling.SignalingHandler;
import java.util.Map;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.config.WebFluxConfigurer;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.server.WebSocketService;
import org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService;
import org.springframework.web.reactive.socket.server.upgrade.ReactorNettyRequestUpgradeStrategy;
import reactor.netty.http.server.WebsocketServerSpec;

/**
 * The two WebSocket endpoints, on Reactor Netty: {@code /ws/stream} (topic pub/sub) and {@code /ws/signal}
 * (WebRTC signaling). Frames larger than {@code stream.websocket.max-frame-size} close the connection
 * with 1009; protocol-level pings are answered by Reactor Netty itself.
 */
@Configuration(proxyBeanMethods = false)
class WebSocketConfiguration implements WebFluxConfigurer {

    private final StreamProperties properties;

    WebSocketConfiguration(StreamProperties properties) {
        this.properties = properties;
    }

    @Bean
    HandlerMapping webSocketRoutes(StreamWebSocketHandler stream, SignalingHandler signaling) {
        return new SimpleUrlHandlerMapping(Map.of("/ws/stream", stream, "/ws/signal", signaling), -1);
    }

    @Override
    public WebSocketService getWebSocketService() {
        int maxFrame = properties.websocket().maxFrameSize();
        return new HandshakeWebSocketService(new ReactorNettyRequestUpgradeStrategy(
                () -> WebsocketServerSpec.builder().maxFramePayloadLength(maxFrame)));
    }
}
