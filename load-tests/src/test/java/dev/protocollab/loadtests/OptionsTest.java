package dev.protocollab.loadtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class OptionsTest {

    @Test
    void bearerAuthBecomesAnAuthorizationHeader() {
        Options.Auth auth =
                Options.parse(new String[] {"--auth=bearer:abc.def"}).auth();

        assertThat(auth.header()).isEqualTo("Authorization");
        assertThat(auth.value()).isEqualTo("Bearer abc.def");
    }

    @Test
    void customerAuthBecomesTheDevelopmentHeader() {
        Options.Auth auth =
                Options.parse(new String[] {"--auth=customer:alice"}).auth();

        assertThat(auth.header()).isEqualTo("X-Customer-Id");
        assertThat(auth.value()).isEqualTo("alice");
    }

    @Test
    void secondsMayBeFractional() {
        Options options = Options.parse(new String[] {"--warmup=0.5"});

        assertThat(options.seconds("warmup", 5)).isEqualTo(Duration.ofMillis(500));
        assertThat(options.seconds("duration", 15)).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void aValueThatIsNotKeyEqualsValueIsRefused() {
        assertThatThrownBy(() -> Options.parse(new String[] {"clients=10"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--key=value");
    }
}
