package dev.protocollab.testsupport;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * Hands out fresh, empty PostgreSQL databases: one per Spring test context or end-to-end run, so runs
 * never see each other's rows. In container mode one PostgreSQL container serves the whole JVM and each
 * caller still gets its own database inside it.
 */
public final class TestPostgres {

    /** The coordinates of one test database, dropped by {@link #close()}. */
    public record Database(String jdbcUrl, String username, String password, String name) implements AutoCloseable {

        @Override
        public void close() {
            drop(name);
        }
    }

    private static PostgreSQLContainer container;

    private TestPostgres() {}

    public static Database newDatabase(String prefix) {
        Admin admin = admin();
        String name = (prefix + "_" + Infrastructure.uniqueSuffix())
                .toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9_]", "_");
        try (Connection connection = admin.connect();
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "Cannot create a test database at " + admin.url
                            + ". Start PostgreSQL there, or point TEST_POSTGRES_URL/TEST_POSTGRES_USER/"
                            + "TEST_POSTGRES_PASSWORD at one (or run a Docker engine).",
                    e);
        }
        return new Database(admin.urlFor(name), admin.user, admin.password, name);
    }

    static void drop(String name) {
        Admin admin = admin();
        try (Connection connection = admin.connect();
                Statement statement = connection.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (SQLException e) {
            // A database left behind costs disk, not correctness; the next run uses a new name.
            System.err.println("Could not drop test database " + name + ": " + e.getMessage());
        }
    }

    private static synchronized Admin admin() {
        if (Infrastructure.mode() == Infrastructure.Mode.CONTAINERS) {
            if (container == null) {
                container = new PostgreSQLContainer("postgres:17-alpine");
                container.start();
            }
            return new Admin(container.getJdbcUrl(), container.getUsername(), container.getPassword());
        }
        return new Admin(
                Infrastructure.env("TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/postgres"),
                Infrastructure.env("TEST_POSTGRES_USER", "postgres"),
                Infrastructure.env("TEST_POSTGRES_PASSWORD", ""));
    }

    private record Admin(String url, String user, String password) {

        Connection connect() throws SQLException {
            Properties properties = new Properties();
            properties.setProperty("user", user);
            properties.setProperty("password", password);
            properties.setProperty("connectTimeout", "5");
            return DriverManager.getConnection(url, properties);
        }

        String urlFor(String database) {
            int slash = url.lastIndexOf('/');
            int query = url.indexOf('?', slash);
            return url.substring(0, slash + 1) + database + (query < 0 ? "" : url.substring(query));
        }
    }
}
