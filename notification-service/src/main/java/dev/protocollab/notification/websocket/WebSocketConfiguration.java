package dev.protocollab.notification.websocket;

import dev.protocollab.notification.NotificationsProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.server.standard.ServletServerContainerFactoryBean;
import tools.jackson.databind.json.JsonMapper;

/**
 * Plain WebSocket (RFC 6455) on Tomcat's JSR 356 container, no STOMP: the protocol is the two JSON
 * messages of the wire contract. Tokens, not cookies, authenticate the handshake, so accepting any
 * origin (the default) does not open the door to cross-site WebSocket hijacking.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSocket
class WebSocketConfiguration implements WebSocketConfigurer {

    static final String PATH = "/ws/notifications";

    private final NotificationWebSocketHandler handler;
    private final NotificationsProperties properties;
    private final JsonMapper json;

    WebSocketConfiguration(NotificationWebSocketHandler handler, NotificationsProperties properties, JsonMapper json) {
        this.handler = handler;
        this.properties = properties;
        this.json = json;
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
        registry.addHandler(handler, PATH)
                .addInterceptors(new HandshakeParameters(json))
                .setAllowedOriginPatterns(
                        properties.websocket().allowedOrigins().toArray(String[]::new));
    }

    /** The container closes a frame larger than this with 1009 before our handler sees it. */
    @Bean
    ServletServerContainerFactoryBean webSocketContainer() {
        ServletServerContainerFactoryBean container = new ServletServerContainerFactoryBean();
        int max = (int) properties.websocket().maxMessageSize().toBytes();
        container.setMaxTextMessageBufferSize(max);
        container.setMaxBinaryMessageBufferSize(max);
        return container;
    }
}
