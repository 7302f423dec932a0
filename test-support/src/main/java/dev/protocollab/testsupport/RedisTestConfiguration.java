package dev.protocollab.testsupport;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistrar;

/** Import into a Spring Boot test to run it against a real Redis. */
@TestConfiguration(proxyBeanMethods = false)
public class RedisTestConfiguration {

    @Bean
    TestRedis.Server testRedis() {
        return TestRedis.server();
    }

    @Bean
    DynamicPropertyRegistrar testRedisProperties(TestRedis.Server redis) {
        return registry -> {
            registry.add("spring.data.redis.host", redis::host);
            registry.add("spring.data.redis.port", redis::port);
        };
    }
}
