package dev.protocollab.notification;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * Durable per-user notifications, delivered by WebSocket, SSE, long and short polling, and webhooks.
 * Servlet stack on virtual threads: see docs/adr/0100 for why, with the numbers.
 */
@SpringBootApplication
@EnableScheduling
@EnableConfigurationProperties(NotificationsProperties.class)
public class NotificationApplication {

    public static void main(String[] args) {
        SpringApplication.run(NotificationApplication.class, args);
    }
}
