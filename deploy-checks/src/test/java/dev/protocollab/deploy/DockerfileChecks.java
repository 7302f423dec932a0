package dev.protocollab.deploy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Static checks of deploy/docker/Dockerfile, since no Docker engine is at hand to build it: the final
 * stage runs as a numeric non-root user, has a health check on the management port, trains and uses an
 * AOT cache, copies Spring Boot's layers least volatile first, starts from a Java 25 JRE, and carries no
 * secret.
 */
final class DockerfileChecks {

    record Instruction(String keyword, String arguments) {}

    private static final Pattern SECRET_NAME =
            Pattern.compile("(?i).*(password|passwd|secret|token|private_?key|api_?key|credential).*");
    private static final List<String> LAYERS =
            List.of("dependencies", "spring-boot-loader", "snapshot-dependencies", "application");

    private DockerfileChecks() {}

    static List<Instruction> parse(String dockerfile) {
        List<Instruction> instructions = new ArrayList<>();
        StringBuilder logical = new StringBuilder();
        for (String line : dockerfile.split("\n")) {
            String stripped = line.strip();
            if (logical.isEmpty() && (stripped.isEmpty() || stripped.startsWith("#"))) {
                continue;
            }
            if (stripped.startsWith("#")) {
                continue; // a comment inside a continued instruction
            }
            if (stripped.endsWith("\\")) {
                logical.append(stripped, 0, stripped.length() - 1).append(' ');
                continue;
            }
            logical.append(stripped);
            String[] parts = logical.toString().split("\\s+", 2);
            instructions.add(new Instruction(parts[0].toUpperCase(), parts.length > 1 ? parts[1] : ""));
            logical.setLength(0);
        }
        return instructions;
    }

    /** The instructions of the last stage, with the ARG defaults seen anywhere for substitution. */
    static List<Instruction> finalStage(List<Instruction> instructions) {
        int last = 0;
        for (int i = 0; i < instructions.size(); i++) {
            if (instructions.get(i).keyword().equals("FROM")) {
                last = i;
            }
        }
        return instructions.subList(last, instructions.size());
    }

    static Map<String, String> argDefaults(List<Instruction> instructions) {
        Map<String, String> defaults = new HashMap<>();
        for (Instruction instruction : instructions) {
            if (instruction.keyword().equals("ARG") && instruction.arguments().contains("=")) {
                String[] pair = instruction.arguments().split("=", 2);
                defaults.put(pair[0], pair[1].replaceAll("^\"|\"$", ""));
            }
        }
        return defaults;
    }

    static String substitute(String text, Map<String, String> args) {
        Matcher matcher = Pattern.compile("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)}?").matcher(text);
        StringBuilder result = new StringBuilder();
        while (matcher.find()) {
            matcher.appendReplacement(
                    result, Matcher.quoteReplacement(args.getOrDefault(matcher.group(1), matcher.group())));
        }
        return matcher.appendTail(result).toString();
    }

    /** The numeric user the final stage runs as, or -1 when it is a name, root, or not set. */
    static int user(String dockerfile) {
        List<Instruction> instructions = parse(dockerfile);
        Map<String, String> args = argDefaults(instructions);
        String user = null;
        for (Instruction instruction : finalStage(instructions)) {
            if (instruction.keyword().equals("USER")) {
                user = substitute(instruction.arguments(), args).split(":")[0].strip();
            }
        }
        return user != null && user.matches("\\d+") && !user.equals("0") ? Integer.parseInt(user) : -1;
    }

    static List<String> check(String dockerfile) {
        List<String> violations = new ArrayList<>();
        List<Instruction> instructions = parse(dockerfile);
        Map<String, String> args = argDefaults(instructions);
        List<Instruction> runtime = finalStage(instructions);

        if (user(dockerfile) < 0) {
            violations.add("the image does not run as a numeric non-root USER");
        }
        String base = substitute(runtime.getFirst().arguments(), args);
        if (!base.matches("[\\w./-]+:25[\\w.-]*-jre[\\w.-]*")) {
            violations.add("the runtime image " + base + " is not a Java 25 JRE");
        }
        List<Instruction> healthchecks =
                runtime.stream().filter(i -> i.keyword().equals("HEALTHCHECK")).toList();
        if (healthchecks.isEmpty() || healthchecks.getLast().arguments().strip().equalsIgnoreCase("NONE")) {
            violations.add("no HEALTHCHECK");
        }
        boolean portFromBuildArg = runtime.stream()
                .anyMatch(i -> i.keyword().equals("ENV")
                        && i.arguments().matches("HEALTHCHECK_PORT=\\$\\{?MANAGEMENT_PORT}?"));
        if (!portFromBuildArg) {
            violations.add(
                    "the health check's port (HEALTHCHECK_PORT) does not come from the MANAGEMENT_PORT build argument");
        }
        String entrypoint = runtime.stream()
                .filter(i -> i.keyword().equals("ENTRYPOINT"))
                .map(Instruction::arguments)
                .reduce((a, b) -> b)
                .orElse("");
        if (!entrypoint.startsWith("[")) {
            violations.add("ENTRYPOINT is not in exec form (java would not be PID 1 and miss SIGTERM)");
        }
        Matcher cache = Pattern.compile("-XX:AOTCache=([\\w.]+)").matcher(entrypoint);
        boolean trained = cache.find()
                && runtime.stream()
                        .anyMatch(i -> i.keyword().equals("RUN")
                                && i.arguments().contains("-XX:AOTCacheOutput=" + cache.group(1)));
        if (!trained) {
            violations.add("no AOT cache trained at build time and used by the ENTRYPOINT");
        }
        List<String> layers = runtime.stream()
                .filter(i -> i.keyword().equals("COPY") && i.arguments().startsWith("--from="))
                .map(i -> i.arguments().replaceAll(".*/extracted/([\\w-]+)/.*", "$1"))
                .filter(LAYERS::contains)
                .toList();
        if (!layers.equals(LAYERS)) {
            violations.add("Spring Boot's layers are copied as " + layers + ", not " + LAYERS);
        }
        for (Instruction instruction : instructions) {
            if (instruction.keyword().equals("ENV") || instruction.keyword().equals("ARG")) {
                String name = instruction.arguments().split("[= ]", 2)[0];
                if (SECRET_NAME.matcher(name).matches()) {
                    violations.add(instruction.keyword() + " " + name + " would put a secret into the image");
                }
            }
            if ((instruction.keyword().equals("COPY") || instruction.keyword().equals("ADD"))
                    && instruction.arguments().matches("(?i).*\\.(pem|key|p12|jks|env)(\\s.*|$)")) {
                violations.add(instruction.keyword() + " " + instruction.arguments() + " copies key material");
            }
        }
        return violations;
    }
}
