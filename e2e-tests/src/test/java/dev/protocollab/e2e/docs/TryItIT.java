package dev.protocollab.e2e.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.protocollab.e2e.suite.FullSuite;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The Try it commands of every docs/patterns.md section that no tour step covers, extracted from the
 * document and run as written in bash against the full suite, with the preamble's variables ({@code $AUTH},
 * {@code $CA}, {@code $ORDER}, {@code $ID}) set by the preamble itself. The only rewriting is of the
 * well-known ports ({@code :8080}, {@code :8443}, {@code :9080}, {@code :9181}) to the ones this suite got.
 * A command must exit 0 (a stream cut by the deadline counts), and no HTTP status it prints may be an error.
 */
class TryItIT {

    /** A status line ({@code HTTP/1.1 200}, curl -v's {@code < HTTP/1.1 200}) or a bare {@code -w '%{http_code}'}. */
    private static final Pattern STATUS =
            Pattern.compile("(?m)^(?:< )?HTTP/\\S+ ([1-5][0-9][0-9])\\b|^([1-5][0-9][0-9])$");

    private static final Path PATTERNS = TryIt.patternsDocument();

    @TestFactory
    Stream<DynamicTest> everyUncoveredTryItCommandWorksAsWritten() throws Exception {
        FullSuite suite = FullSuite.shared();
        Map<String, String> environment = preamble(suite);
        return TryIt.of(PATTERNS).stream()
                .filter(section -> !section.runByTheTour() && !section.notRunnable())
                .flatMap(section -> section.runnableCommands().stream()
                        .map(command -> DynamicTest.dynamicTest(
                                section.section() + ": " + command, () -> run(suite, environment, command))));
    }

    /** The document's own "Before trying anything" block, but with the token taken from this suite. */
    private static Map<String, String> preamble(FullSuite suite) throws Exception {
        String document = Files.readString(PATTERNS);
        Matcher block = Pattern.compile("```sh\\n(.*?)```", Pattern.DOTALL).matcher(document);
        assertThat(block.find()).as("the preamble block of patterns.md").isTrue();
        StringBuilder script = new StringBuilder("TOKEN='" + suite.token("alice") + "'\n");
        for (String line : block.group(1).split("\n")) {
            if (!line.startsWith("TOKEN=")) {
                script.append(ports(suite, line.replaceFirst("\\s+#.*$", ""))).append('\n');
            }
        }
        script.append("CA=").append(suite.gateway().caCertificate()).append('\n');
        script.append(
                "printf 'AUTH=%s\\nCA=%s\\nORDER=%s\\nID=%s\\nTOKEN=%s\\n' \"$AUTH\" \"$CA\" \"$ORDER\" \"$ID\" \"$TOKEN\"\n");
        Result result = bash(script.toString(), Map.of());
        assertThat(result.exit()).as(result.output()).isZero();
        Map<String, String> environment = new LinkedHashMap<>();
        for (String line : result.output().split("\n")) {
            int equals = line.indexOf('=');
            if (equals > 0) {
                environment.put(line.substring(0, equals), line.substring(equals + 1));
            }
        }
        assertThat(environment.get("ID")).as("the order the preamble created").matches("[0-9a-f-]{36}");
        return environment;
    }

    private static void run(FullSuite suite, Map<String, String> environment, String command) throws Exception {
        boolean stream = command.contains(" -N ") || command.endsWith("&");
        Result result = bash("timeout 40 bash -c " + quote(ports(suite, command)), environment);
        assertThat(result.exit())
                .as("exit status of %s%n%s", command, result.output())
                .isIn(stream ? List.of(0, 124) : List.of(0));
        Matcher status = STATUS.matcher(result.output());
        while (status.find()) {
            String code = status.group(1) != null ? status.group(1) : status.group(2);
            assertThat(Integer.parseInt(code))
                    .as("an HTTP status printed by %s%n%s", command, result.output())
                    .isLessThan(400);
        }
    }

    private static String ports(FullSuite suite, String text) {
        return text.replace(":8080", ":" + suite.gateway().http())
                .replace(":8443", ":" + suite.gateway().https())
                .replace(":9080", ":" + suite.gateway().management())
                .replace(":9181", ":" + suite.orderServices().getFirst().management());
    }

    private record Result(int exit, String output) {}

    /**
     * Output goes to a file, not a pipe: a command ending in {@code &} leaves its background job running
     * (bounded by its own {@code -m}), and a pipe would stay open until that job ended.
     */
    private static Result bash(String script, Map<String, String> environment)
            throws IOException, InterruptedException {
        Path root = PATTERNS.getParent().getParent();
        Path output = Files.createTempFile("try-it", ".out");
        try {
            ProcessBuilder builder = new ProcessBuilder("bash", "-c", script)
                    .directory(root.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            builder.environment().putAll(environment);
            Process process = builder.start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Result(-1, "still running after 60 s");
            }
            return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private static String quote(String command) {
        return "'" + command.replace("'", "'\\''") + "'";
    }
}
