package dev.protocollab.stream;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Broadcast live streams of the whole shop over SSE, WebSocket and gRPC, and WebRTC signaling. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class StreamApplication {

    public static void main(String[] args) {
        SpringApplication.run(StreamApplication.class, args);
    }
}
