package dev.protocollab.deploy;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Version;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Strict validation of rendered manifests against the Kubernetes API as modelled by fabric8
 * kubernetes-model 7.4.1 (the Kubernetes 1.33 API: it has pod-level resources but not 1.34's
 * hostnameOverride), plus the Gateway API v1 resources. An object must bind to its typed model with no
 * scalar coercion (a string where a number belongs fails), no field may land in the model's catch-all
 * additionalProperties (an unknown or misspelt field fails at any depth), and every quantity must parse.
 * Custom resources of the prod overlay's operators are checked against the schemas in
 * src/test/resources/custom-resources (the fields this repository uses, from the operators' CRDs).
 */
final class KubernetesSchema {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .build();

    private static final Map<String, Class<?>> TYPES = modelTypes();

    /** https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/ */
    private static final Pattern QUANTITY =
            Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?\\d+)?");

    private KubernetesSchema() {}

    static List<String> validate(List<Map<String, Object>> documents) {
        List<String> violations = new ArrayList<>();
        for (Map<String, Object> document : documents) {
            violations.addAll(validate(document));
        }
        return violations;
    }

    static List<String> validate(Map<String, Object> document) {
        String apiVersion = Maps.string(document, "apiVersion");
        String kind = Maps.string(document, "kind");
        String name = kind + "/" + Maps.string(document, "metadata", "name");
        Class<?> type = TYPES.get(apiVersion + "/" + kind);
        if (type == null) {
            return CustomResources.validate(apiVersion, kind, name, document);
        }
        Object object;
        try {
            object = MAPPER.convertValue(document, type);
        } catch (IllegalArgumentException e) {
            return List.of(name + ": " + firstLine(e.getMessage()));
        }
        List<String> violations = new ArrayList<>();
        walk(object, name, violations);
        return violations;
    }

    private static void walk(Object node, String path, List<String> violations) {
        switch (node) {
            case null -> {}
            case Quantity quantity -> {
                String text = quantity.getAmount() + (quantity.getFormat() == null ? "" : quantity.getFormat());
                if (!QUANTITY.matcher(text).matches()) {
                    violations.add(path + ": " + text + " is not a quantity");
                }
            }
            case Collection<?> items -> {
                int index = 0;
                for (Object item : items) {
                    walk(item, path + "[" + index++ + "]", violations);
                }
            }
            case Map<?, ?> entries -> entries.forEach((key, value) -> walk(value, path + "." + key, violations));
            default -> {
                if (node.getClass().getName().startsWith("io.fabric8.")) {
                    walkModel(node, path, violations);
                }
            }
        }
    }

    private static void walkModel(Object node, String path, List<String> violations) {
        for (Method getter : node.getClass().getMethods()) {
            if (getter.getParameterCount() != 0) {
                continue;
            }
            try {
                if (getter.getName().equals("getAdditionalProperties")) {
                    Map<?, ?> unknown = (Map<?, ?>) getter.invoke(node);
                    if (unknown != null && !unknown.isEmpty()) {
                        violations.add(path + ": unknown field(s) " + unknown.keySet());
                    }
                } else if (getter.isAnnotationPresent(JsonProperty.class)) {
                    String field = getter.getAnnotation(JsonProperty.class).value();
                    walk(getter.invoke(node), path + "." + field, violations);
                }
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException(getter.toString(), e);
            }
        }
    }

    private static String firstLine(String message) {
        String line = message.lines().findFirst().orElse(message);
        int through = message.indexOf("(through reference chain: ");
        return through < 0
                ? line
                : line + " at " + message.substring(through + 26).replace(")", "");
    }

    /** apiVersion/kind to model class, from the model jars' service files. */
    private static Map<String, Class<?>> modelTypes() {
        Map<String, Class<?>> types = new HashMap<>();
        ClassLoader loader = KubernetesSchema.class.getClassLoader();
        try {
            for (URL url : Collections.list(
                    loader.getResources("META-INF/services/io.fabric8.kubernetes.api.model.KubernetesResource"))) {
                try (InputStream in = url.openStream();
                        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    for (String line : reader.lines().map(String::strip).toList()) {
                        if (line.isEmpty() || line.startsWith("#")) {
                            continue;
                        }
                        Class<?> type = Class.forName(line, false, loader);
                        Group group = type.getAnnotation(Group.class);
                        Version version = type.getAnnotation(Version.class);
                        if (group == null || version == null) {
                            continue;
                        }
                        Kind kind = type.getAnnotation(Kind.class);
                        String apiVersion =
                                group.value().isEmpty() ? version.value() : group.value() + "/" + version.value();
                        types.put(apiVersion + "/" + (kind == null ? type.getSimpleName() : kind.value()), type);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
        return types;
    }

    /** The operators' custom resources, against the schemas in src/test/resources/custom-resources. */
    static final class CustomResources {

        private static final SchemaRegistry REGISTRY =
                SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

        private CustomResources() {}

        static List<String> validate(String apiVersion, String kind, String name, Map<String, Object> document) {
            String resource = "/custom-resources/" + apiVersion.replace('/', '_') + "_" + kind + ".schema.json";
            URL url = KubernetesSchema.class.getResource(resource);
            if (url == null) {
                return List.of(name + ": " + apiVersion + " " + kind
                        + " is neither a Kubernetes API kind nor a custom resource with a schema in " + resource);
            }
            try (InputStream in = url.openStream()) {
                Schema schema =
                        REGISTRY.getSchema(new String(in.readAllBytes(), StandardCharsets.UTF_8), InputFormat.JSON);
                return schema.validate(MAPPER.writeValueAsString(document), InputFormat.JSON).stream()
                        .map(error -> name + ": " + error)
                        .toList();
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
