package dev.protocollab.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The compose files, their Compose Specification schema, and compose's variable interpolation. */
final class ComposeFiles {

    static final List<String> FILES = List.of("infra.yml", "infra-ports.yml", "apps.yml", "observability.yml");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Schema SCHEMA = schema();
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?}");

    private ComposeFiles() {}

    static Map<String, Object> load(Path directory, String file) {
        return Repository.yamlDocument(directory.resolve(file));
    }

    /** The services of several files merged as `docker compose -f a -f b` does for the keys used here. */
    static Map<String, Map<String, Object>> services(Path directory, String... files) {
        Map<String, Map<String, Object>> services = new LinkedHashMap<>();
        for (String file : files) {
            Maps.map(load(directory, file), "services").forEach((name, definition) -> {
                Map<String, Object> merged = services.computeIfAbsent(name, n -> new LinkedHashMap<>());
                Maps.asMap(definition, name).forEach((key, value) -> {
                    if (value instanceof Map<?, ?> map && merged.get(key) instanceof Map<?, ?> existing) {
                        Map<String, Object> both = new LinkedHashMap<>(Maps.asMap(existing, key));
                        both.putAll(Maps.asMap(map, key));
                        merged.put(key, both);
                    } else {
                        merged.put(key, value);
                    }
                });
            });
        }
        return services;
    }

    static List<String> validate(Map<String, Object> composeFile) {
        try {
            return SCHEMA.validate(JSON.writeValueAsString(composeFile), InputFormat.JSON).stream()
                    .map(String::valueOf)
                    .toList();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** ${NAME:-default} and ${NAME-default} with NAME unset, as `docker compose config` reads them. */
    static String interpolate(String value) {
        Matcher matcher = VARIABLE.matcher(value);
        StringBuilder result = new StringBuilder();
        while (matcher.find()) {
            matcher.appendReplacement(
                    result, Matcher.quoteReplacement(matcher.group(2) == null ? "" : matcher.group(2)));
        }
        return matcher.appendTail(result).toString();
    }

    /**
     * The vendored schema declares draft 2019-09 but still labels its parts with draft-04's {@code id}, which
     * 2019-09 does not define; the validator refuses unknown keywords, so those labels (never the target of a
     * $ref) are dropped before it reads the schema.
     */
    private static Schema schema() {
        try (InputStream in = ComposeFiles.class.getResourceAsStream("/compose-spec/compose-spec.json")) {
            JsonNode schema = JSON.readTree(in);
            dropIdLabels(schema, false);
            return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2019_09)
                    .getSchema(JSON.writeValueAsString(schema), InputFormat.JSON);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void dropIdLabels(JsonNode node, boolean namesProperties) {
        if (node instanceof ObjectNode object) {
            if (!namesProperties && object.path("id").isTextual()) {
                object.remove("id");
            }
            object.properties()
                    .forEach(entry -> dropIdLabels(
                            entry.getValue(),
                            entry.getKey().equals("properties")
                                    || entry.getKey().equals("patternProperties")));
        } else if (node instanceof ArrayNode array) {
            array.forEach(item -> dropIdLabels(item, false));
        }
    }
}
