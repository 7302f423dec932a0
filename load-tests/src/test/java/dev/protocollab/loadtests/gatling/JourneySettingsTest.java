package dev.protocollab.loadtests.gatling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class JourneySettingsTest {

    @Test
    void defaultsDescribeAModestMixAgainstTheLocalGateway() {
        JourneySettings settings = JourneySettings.from(new Properties());

        assertThat(settings.gateway()).hasToString("http://localhost:8080");
        assertThat(settings.webSocketBase()).isEqualTo("ws://localhost:8080");
        assertThat(settings.watchTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.browsers()).isEqualTo(10);
    }

    @Test
    void fractionalSecondsAndRatesAreAccepted() {
        JourneySettings settings =
                JourneySettings.from(properties("audienceRate", "2.5", "hold", "0.5", "gateway", "https://gw:8443"));

        assertThat(settings.hold()).isEqualTo(Duration.ofMillis(500));
        assertThat(settings.steadyAudience()).isEqualTo(1.25);
        assertThat(settings.webSocketBase()).isEqualTo("wss://gw:8443");
    }

    @Test
    void aKnobThatIsNotANumberIsNamedInTheError() {
        assertThatThrownBy(() -> JourneySettings.from(properties("placeRate", "fast")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("placeRate must be a number, not 'fast'");
    }

    @Test
    void negativeRatesAndEmptyMixesAreRefused() {
        assertThatThrownBy(() -> JourneySettings.from(properties("browseRate", "-1")))
                .hasMessageContaining("browseRate must be 0 or more");
        assertThatThrownBy(() ->
                        JourneySettings.from(properties("placeRate", "0", "browseRate", "0", "audienceRate", "0")))
                .hasMessageContaining("nobody would arrive");
    }

    @Test
    void aGatewayThatIsNotHttpIsRefused() {
        assertThatThrownBy(() -> JourneySettings.from(properties("gateway", "localhost:8080")))
                .hasMessageContaining("gateway must be an http:// or https:// URL");
    }

    @Test
    void zeroDurationsAreRefused() {
        assertThatThrownBy(() -> JourneySettings.from(properties("hold", "0")))
                .hasMessageContaining("hold must be more than 0 seconds");
    }

    private static Properties properties(String... pairs) {
        Properties properties = new Properties();
        for (int i = 0; i < pairs.length; i += 2) {
            properties.setProperty(pairs[i], pairs[i + 1]);
        }
        return properties;
    }
}
