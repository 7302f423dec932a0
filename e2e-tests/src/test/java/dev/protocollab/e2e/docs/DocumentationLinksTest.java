package dev.protocollab.e2e.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every relative link in README.md and docs/**&#47;*.md points at a file of the repository, and every
 * {@code #anchor} into a Markdown file names one of its headings: the pattern map is only useful while its
 * links lead to the code. A plain unit test: it reads files, no suite needed.
 */
class DocumentationLinksTest {

    /** {@code [text](target)} or {@code [text](target "title")}; images too. */
    private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\)");

    private static final Pattern FENCE = Pattern.compile("(?ms)^\\s*```.*?^\\s*```");
    private static final Pattern CODE_SPAN = Pattern.compile("`[^`\\n]*`");
    private static final Pattern HEADING = Pattern.compile("(?m)^#{1,6}\\s+(.+?)\\s*#*\\s*$");

    /**
     * Documents whose links are allowed to be broken for now, and why. Their broken links are printed, not
     * failed; remove the entry once the document is complete.
     */
    private static final Map<String, String> UNFINISHED = Map.of();

    private final Path root = repositoryRoot();

    @Test
    void everyRelativeLinkInTheDocumentationResolves() throws IOException {
        List<Path> documents = documents();
        assertThat(documents).as("README.md and docs/*.md").isNotEmpty();

        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path document : documents) {
            for (String target : links(document)) {
                if (isExternal(target)) {
                    continue;
                }
                checked++;
                String problem = problem(document, target);
                String name = root.relativize(document).toString().replace('\\', '/');
                if (problem != null && UNFINISHED.containsKey(name)) {
                    System.out.printf("unfinished %s (%s): %s (%s)%n", name, UNFINISHED.get(name), target, problem);
                } else if (problem != null) {
                    broken.add(name + ": " + target + " (" + problem + ")");
                }
            }
        }

        assertThat(checked).as("relative links checked").isPositive();
        assertThat(broken).as("broken links").isEmpty();
    }

    @Test
    void headingsBecomeGitHubAnchors() {
        assertThat(anchor("HTTP/3 and QUIC")).isEqualTo("http3-and-quic");
        assertThat(anchor("Proxy and load balancing (L4 and L7)")).isEqualTo("proxy-and-load-balancing-l4-and-l7");
        assertThat(anchor("Measured: handshake round trips")).isEqualTo("measured-handshake-round-trips");
        assertThat(anchor("TLS 1.2")).isEqualTo("tls-12");
    }

    private String problem(Path document, String target) {
        int hash = target.indexOf('#');
        String file = hash >= 0 ? target.substring(0, hash) : target;
        String fragment = hash >= 0 ? target.substring(hash + 1) : null;
        Path resolved =
                file.isEmpty() ? document : document.getParent().resolve(file).normalize();
        if (!resolved.startsWith(root)) {
            return "outside the repository";
        }
        if (!Files.exists(resolved)) {
            return "no such file";
        }
        if (fragment != null && !fragment.isEmpty() && resolved.toString().endsWith(".md")) {
            if (!anchors(resolved).contains(fragment.toLowerCase(Locale.ROOT))) {
                return "no heading for #" + fragment;
            }
        }
        return null;
    }

    private static boolean isExternal(String target) {
        return target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*");
    }

    private List<Path> documents() throws IOException {
        List<Path> documents = new ArrayList<>();
        documents.add(root.resolve("README.md"));
        Path docs = root.resolve("docs");
        if (Files.isDirectory(docs)) {
            try (Stream<Path> files = Files.walk(docs)) {
                files.filter(path -> path.toString().endsWith(".md")).sorted().forEach(documents::add);
            }
        }
        return documents;
    }

    /** The link targets of a Markdown file, outside code blocks and code spans. */
    private static List<String> links(Path document) {
        String text =
                CODE_SPAN.matcher(FENCE.matcher(read(document)).replaceAll("")).replaceAll("");
        List<String> targets = new ArrayList<>();
        Matcher matcher = LINK.matcher(text);
        while (matcher.find()) {
            targets.add(matcher.group(1));
        }
        return targets;
    }

    private static Set<String> anchors(Path document) {
        String text = FENCE.matcher(read(document)).replaceAll("");
        return HEADING.matcher(text)
                .results()
                .map(match -> anchor(match.group(1)))
                .collect(Collectors.toSet());
    }

    /** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
    static String anchor(String heading) {
        String plain = heading.replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1").replace("`", "");
        return plain.toLowerCase(Locale.ROOT)
                .replaceAll("[^\\p{L}\\p{N} _-]", "")
                .replace(' ', '-');
    }

    private static String read(Path document) {
        try {
            return Files.readString(document);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The build runs in e2e-tests/ (or wherever); the repository root is the nearest folder with mvnw. */
    private static Path repositoryRoot() {
        Path directory = Path.of("").toAbsolutePath();
        while (directory != null && !Files.exists(directory.resolve("mvnw"))) {
            directory = directory.getParent();
        }
        if (directory == null) {
            throw new IllegalStateException("no mvnw above " + Path.of("").toAbsolutePath());
        }
        return directory.normalize();
    }
}
