package dev.protocollab.gateway.abuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.protocollab.gateway.IntegrationTest;
import dev.protocollab.gateway.TestClients;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * Each {@code gateway.abuse} limit set low and hit on the cleartext port, each test from a loopback address
 * of its own so the per-address state of one never touches another: if a limit stops taking effect, the
 * connection it should refuse or close is served and its test fails.
 */
@IntegrationTest
@TestPropertySource(
        properties = {
            "gateway.abuse.new-connections-per-second=0.2",
            "gateway.abuse.new-connection-burst=5",
            "gateway.abuse.max-connections-per-address=3",
            "gateway.abuse.penalty=3s",
            "gateway.abuse.max-resets=10",
            "gateway.abuse.max-control-frames=20",
        })
class AbuseLimitsIT {

    @Autowired
    TestClients clients;

    @Autowired
    MeterRegistry registry;

    @Test
    void newConnectionsBeyondTheBurstAreRefusedUntilTheBucketRefills() throws Exception {
        double refused = refused("rate");
        for (int i = 0; i < 5; i++) {
            try (RawClient client = new RawClient("127.0.0.2", clients.port())) {
                assertThat(client.served())
                        .as("connection %d of the burst", i + 1)
                        .isTrue();
            }
        }
        try (RawClient sixth = new RawClient("127.0.0.2", clients.port())) {
            assertThat(sixth.served()).as("past the burst").isFalse();
        }
        assertThat(refused("rate")).isEqualTo(refused + 1);
        try (RawClient other = new RawClient("127.0.0.3", clients.port())) {
            assertThat(other.served()).as("another address").isTrue();
        }
        // 0.2 a second: one more token within 5 s
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    try (RawClient again = new RawClient("127.0.0.2", clients.port())) {
                        return again.served();
                    }
                });
    }

    @Test
    void anAddressHoldsAtMostSoManyOpenConnections() throws Exception {
        double refused = refused("open-connections");
        List<RawClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                open.add(new RawClient("127.0.0.4", clients.port()));
                assertThat(open.getLast().served()).isTrue();
            }
            try (RawClient fourth = new RawClient("127.0.0.4", clients.port())) {
                assertThat(fourth.served()).as("a fourth open connection").isFalse();
            }
            assertThat(refused("open-connections")).isEqualTo(refused + 1);

            open.removeFirst().close();
            await().atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        try (RawClient replacement = new RawClient("127.0.0.4", clients.port())) {
                            return replacement.served();
                        }
                    });
        } finally {
            for (RawClient client : open) {
                client.close();
            }
        }
    }

    @Test
    void rapidResetClosesTheConnectionAndTheAddressCoolsDown() throws Exception {
        double closed = closed("rapid-reset");
        try (RawClient attacker = new RawClient("127.0.0.5", clients.port())) {
            attacker.preface().rapidResets(20);
            assertThat(attacker.goAwayErrorCode()).isEqualTo(RawClient.ENHANCE_YOUR_CALM);
            assertThat(attacker.closedByServer()).isTrue();
        }
        assertThat(closed("rapid-reset")).isEqualTo(closed + 1);

        double penalty = refused("penalty");
        try (RawClient again = new RawClient("127.0.0.5", clients.port())) {
            assertThat(again.served()).as("reconnecting in the cool-down").isFalse();
        }
        assertThat(refused("penalty")).isEqualTo(penalty + 1);
        try (RawClient other = new RawClient("127.0.0.6", clients.port())) {
            assertThat(other.served()).as("another address").isTrue();
        }
        // the 3 s cool-down ends
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    try (RawClient later = new RawClient("127.0.0.5", clients.port())) {
                        return later.served();
                    }
                });
    }

    @Test
    void aSettingsFloodIsCutOff() throws Exception {
        double closed = closed("control-frames");
        try (RawClient attacker = new RawClient("127.0.0.7", clients.port())) {
            attacker.preface().settings(50);
            assertThat(attacker.goAwayErrorCode()).isEqualTo(RawClient.ENHANCE_YOUR_CALM);
            assertThat(attacker.closedByServer()).isTrue();
        }
        assertThat(closed("control-frames")).isEqualTo(closed + 1);
        try (RawClient again = new RawClient("127.0.0.7", clients.port())) {
            assertThat(again.served()).as("reconnecting in the cool-down").isFalse();
        }
    }

    @Test
    void aPingFloodIsCutOff() throws Exception {
        double closed = closed("control-frames");
        try (RawClient attacker = new RawClient("127.0.0.8", clients.port())) {
            attacker.preface().pings(50);
            assertThat(attacker.goAwayErrorCode()).isEqualTo(RawClient.ENHANCE_YOUR_CALM);
            assertThat(attacker.closedByServer()).isTrue();
        }
        assertThat(closed("control-frames")).isEqualTo(closed + 1);
    }

    /** The TLS listener has the same limits and shares the addresses' state with the cleartext port. */
    @Test
    void theTlsListenerCutsFloodsOffAndHonoursTheCoolDown() throws Exception {
        double closed = closed("control-frames");
        try (RawClient attacker = new RawClient("127.0.0.10", clients.tlsPort(), true)) {
            assertThat(attacker.resetAtConnect()).isFalse();
            attacker.preface().pings(50);
            assertThat(attacker.goAwayErrorCode()).isEqualTo(RawClient.ENHANCE_YOUR_CALM);
        }
        assertThat(closed("control-frames")).isEqualTo(closed + 1);
        try (RawClient again = new RawClient("127.0.0.10", clients.tlsPort(), true)) {
            assertThat(again.resetAtConnect())
                    .as("refused in the cool-down, before the handshake")
                    .isTrue();
        }
        try (RawClient cleartext = new RawClient("127.0.0.10", clients.port())) {
            assertThat(cleartext.served())
                    .as("the cool-down holds on the cleartext port too")
                    .isFalse();
        }
    }

    /** Within every limit (19 control frames with the preface's SETTINGS, 9 resets) a connection stays open. */
    @Test
    void aClientWithinTheLimitsKeepsItsConnection() throws Exception {
        try (RawClient client = new RawClient("127.0.0.9", clients.port())) {
            client.preface().pings(9).settings(9).rapidResets(9);
            assertThat(client.closedByServer())
                    .as("closed within the 5 s read deadline")
                    .isFalse();
        }
    }

    private double refused(String reason) {
        return registry.counter("gateway.abuse.connections.refused", "reason", reason)
                .count();
    }

    private double closed(String reason) {
        return registry.counter("gateway.abuse.connections.closed", "reason", reason)
                .count();
    }
}
