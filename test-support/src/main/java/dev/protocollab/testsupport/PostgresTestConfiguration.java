package dev.protocollab.testsupport;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistrar;

/**
 * Import into a Spring Boot test to run it against its own fresh database on a real PostgreSQL.
 *
 * <p>One code path for both modes: in container mode the database lives in a Testcontainers PostgreSQL
 * shared by the JVM, in local mode in the server at {@code TEST_POSTGRES_URL}. The database is dropped
 * when the test context closes.
 */
@TestConfiguration(proxyBeanMethods = false)
public class PostgresTestConfiguration {

    @Bean(destroyMethod = "close")
    TestPostgres.Database testDatabase(Environment environment) {
        return TestPostgres.newDatabase(environment.getProperty("spring.application.name", "test") + "_it");
    }

    @Bean
    DynamicPropertyRegistrar testDatabaseProperties(TestPostgres.Database database) {
        return registry -> {
            registry.add("spring.datasource.url", database::jdbcUrl);
            registry.add("spring.datasource.username", database::username);
            registry.add("spring.datasource.password", database::password);
        };
    }
}
