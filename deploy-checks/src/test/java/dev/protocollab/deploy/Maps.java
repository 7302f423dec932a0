package dev.protocollab.deploy;

import java.util.List;
import java.util.Map;

/** Navigation in parsed YAML: absent keys read as empty, never as an exception deep in a check. */
final class Maps {

    private Maps() {}

    @SuppressWarnings("unchecked")
    static Map<String, Object> asMap(Object value, String what) {
        if (value instanceof Map<?, ?> map) {
            return (Map<String, Object>) map;
        }
        throw new IllegalArgumentException(what + " is not a mapping: " + value);
    }

    static Map<String, Object> map(Map<String, Object> parent, String... path) {
        Object value = get(parent, path);
        return value == null ? Map.of() : asMap(value, String.join(".", path));
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Map<String, Object> parent, String... path) {
        Object value = get(parent, path);
        return value == null ? List.of() : (List<Object>) value;
    }

    static List<Map<String, Object>> maps(Map<String, Object> parent, String... path) {
        return list(parent, path).stream()
                .map(v -> asMap(v, String.join(".", path)))
                .toList();
    }

    static String string(Map<String, Object> parent, String... path) {
        Object value = get(parent, path);
        return value == null ? null : String.valueOf(value);
    }

    static Object get(Map<String, Object> parent, String... path) {
        Object current = parent;
        for (String key : path) {
            if (!(current instanceof Map<?, ?> map)) {
                return null;
            }
            current = map.get(key);
        }
        return current;
    }
}
