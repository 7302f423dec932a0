package dev.protocollab.e2e.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The "Try it" bullet of each section of docs/patterns.md, as written: the tour steps it names
 * ({@code bin/suite demo --only TEXT}) and the shell commands in its code spans. What a test does with a
 * section follows from it: the tour runs it (TourIT), or {@code TryItIT} runs its commands, or it says it
 * cannot run against {@code bin/suite up}.
 */
record TryIt(String section, String text, List<String> tourFilters, List<String> commands) {

    static final String NOT_RUNNABLE = "Not runnable against `bin/suite up`";

    private static final Pattern ONLY = Pattern.compile("bin/suite demo --only (\"[^\"]+\"|\\S+?)`");
    private static final Pattern SPAN = Pattern.compile("`([^`]+)`");
    /** What a reader runs in the shell, as opposed to a file name, a header or a metric in backticks. */
    private static final Pattern COMMAND = Pattern.compile(
            "^(curl|for |ss |openssl |bin/suite |printf |\\(echo|kubectl |load-tests/|[A-Z_]+=\\S+ .*bin/suite).*");

    boolean runByTheTour() {
        return !tourFilters.isEmpty();
    }

    boolean notRunnable() {
        return text.contains(NOT_RUNNABLE);
    }

    /**
     * The commands a test can run against a suite that is already up and shared: not those that start,
     * stop or inspect {@code bin/suite}'s own processes, kill an instance, run a benchmark or need kubectl.
     */
    List<String> runnableCommands() {
        return commands.stream()
                .filter(command -> !command.matches(".*bin/suite (up|down|logs|status|demo).*"))
                .filter(command -> !command.matches(".*(kubectl|bench\\.sh|\\bkill\\b).*"))
                .toList();
    }

    static List<TryIt> of(Path patterns) {
        List<String> lines;
        try {
            lines = Files.readAllLines(patterns);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<TryIt> sections = new ArrayList<>();
        String section = null;
        StringBuilder tryIt = null;
        for (String line : lines) {
            if (line.startsWith("## ")) {
                add(sections, section, tryIt);
                section = line.substring(3).strip();
                tryIt = null;
            } else if (section != null && line.startsWith("- Try it")) {
                tryIt = new StringBuilder(line);
            } else if (tryIt != null && line.startsWith("  ")) {
                tryIt.append('\n').append(line.strip());
            } else if (tryIt != null) {
                add(sections, section, tryIt);
                section = null;
                tryIt = null;
            }
        }
        add(sections, section, tryIt);
        return sections;
    }

    /** Sections that have no Try it at all are kept with empty text, so a test can name them. */
    private static void add(List<TryIt> sections, String section, StringBuilder tryIt) {
        if (section == null) {
            return;
        }
        String text = tryIt == null ? "" : tryIt.toString();
        List<String> filters = new ArrayList<>();
        Matcher only = ONLY.matcher(text.replace('\n', ' '));
        while (only.find()) {
            filters.add(only.group(1).replace("\"", ""));
        }
        List<String> commands = new ArrayList<>();
        Matcher span = SPAN.matcher(text.replace('\n', ' '));
        while (span.find()) {
            String candidate = span.group(1).strip();
            if (COMMAND.matcher(candidate).matches()) {
                commands.add(candidate);
            }
        }
        sections.removeIf(existing -> existing.section().equals(section));
        sections.add(new TryIt(section, text, List.copyOf(filters), List.copyOf(commands)));
    }

    static Path patternsDocument() {
        Path directory = Path.of("").toAbsolutePath();
        while (directory != null && !Files.exists(directory.resolve("mvnw"))) {
            directory = directory.getParent();
        }
        if (directory == null) {
            throw new IllegalStateException("no mvnw above " + Path.of("").toAbsolutePath());
        }
        return directory.resolve("docs/patterns.md");
    }
}
