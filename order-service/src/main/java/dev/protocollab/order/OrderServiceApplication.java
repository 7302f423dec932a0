package dev.protocollab.order;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * The system of record for orders. Thread per request on virtual threads: a blocking JDBC call or a
 * parked long poll costs a virtual thread, not a platform thread.
 */
@SpringBootApplication
@EnableScheduling
@EnableConfigurationProperties(OrdersProperties.class)
public class OrderServiceApplication {

    public static void main(String[] args) {
        SpringApplication.run(OrderServiceApplication.class, args);
    }
}
