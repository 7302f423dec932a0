package dev.protocollab.e2e.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.protocollab.cli.Tour;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every section of docs/patterns.md has a Try it that something runs: a {@code bin/suite demo --only}
 * filter that selects tour steps (TourIT runs every step), or commands that {@code TryItIT} runs against the
 * full suite, or an explicit note that it cannot run against {@code bin/suite up}. A renamed tour step or a
 * section whose commands nobody runs fails here, without starting anything.
 */
class TryItCoverageTest {

    private final List<TryIt> sections = TryIt.of(TryIt.patternsDocument());

    @Test
    void everySectionHasATryItThatIsRunOrSaysWhyNot() {
        assertThat(sections).hasSizeGreaterThanOrEqualTo(24);
        assertThat(sections)
                .allSatisfy(section -> assertThat(section.text())
                        .as("the Try it of \"%s\"", section.section())
                        .isNotEmpty());
        assertThat(sections)
                .allSatisfy(section -> assertThat(section.runByTheTour()
                                || section.notRunnable()
                                || !section.runnableCommands().isEmpty())
                        .as(
                                "\"%s\": a tour step, commands TryItIT runs, or \"%s\"",
                                section.section(), TryIt.NOT_RUNNABLE)
                        .isTrue());
    }

    @Test
    void everyTourFilterInTheDocsSelectsAStep() {
        List<String> steps;
        try (Tour tour = new Tour(new Tour.Target(
                URI.create("http://localhost:1"), URI.create("https://localhost:2"), Path.of("ca.pem")))) {
            steps = tour.steps().stream().map(Tour.Step::pattern).toList();
        }
        for (TryIt section : sections) {
            for (String filter : section.tourFilters()) {
                assertThat(steps)
                        .as("tour steps that `bin/suite demo --only %s` (\"%s\") runs", filter, section.section())
                        .anyMatch(step -> step.toLowerCase().contains(filter.toLowerCase()));
            }
        }
    }
}
