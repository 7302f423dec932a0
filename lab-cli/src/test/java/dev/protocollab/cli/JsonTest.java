package dev.protocollab.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void splitsASequenceOfObjectsRespectingStringsAndNesting() {
        assertThat(Json.objects("{\"add\":\"a}\"}\n{\"x\":{\"y\":1}} {}"))
                .containsExactly("{\"add\":\"a}\"}", "{\"x\":{\"y\":1}}", "{}");
    }

    @Test
    void refusesWhatIsNotJsonObjects() {
        assertThatThrownBy(() -> Json.objects("[1]")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Json.objects("{\"a\":1")).isInstanceOf(IllegalArgumentException.class);
    }
}
