package dev.pagoda.webapi.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pagoda.webapi.server.ApiException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Typed reads of a request's JSON fields. Absent and {@code null} mean "not given", as in OpenAI's
 * API; a value of the wrong JSON type is a 400 naming the field (OpenAI's "invalid_type"). Which
 * fields a route knows, honours or refuses is {@link RequestFields}' business.
 */
final class Fields {

    private final ObjectNode body;
    private final String prefix;

    Fields(ObjectNode body) {
        this(body, "");
    }

    /** An object nested in a request: errors name its fields with {@code prefix} ({@code "response_format."}). */
    Fields(ObjectNode body, String prefix) {
        this.body = body;
        this.prefix = prefix;
    }

    /** The body's field names, in the order they were sent. */
    List<String> names() {
        List<String> out = new ArrayList<>();
        body.fieldNames().forEachRemaining(out::add);
        return out;
    }

    boolean has(String name) {
        JsonNode n = body.get(name);
        return n != null && !n.isNull();
    }

    Optional<JsonNode> node(String name) {
        JsonNode n = body.get(name);
        return n == null || n.isNull() ? Optional.empty() : Optional.of(n);
    }

    Optional<String> string(String name) {
        return node(name).map(n -> {
            if (!n.isTextual()) throw ApiException.invalidType(prefix + name, "a string", describe(n));
            return n.textValue();
        });
    }

    Optional<Boolean> bool(String name) {
        return node(name).map(n -> {
            if (!n.isBoolean()) throw ApiException.invalidType(prefix + name, "a boolean", describe(n));
            return n.booleanValue();
        });
    }

    /** A number; NaN and infinities pass here and are refused by the range checks that name their limits. */
    Optional<Double> number(String name) {
        return node(name).map(n -> {
            if (!n.isNumber()) throw ApiException.invalidType(prefix + name, "a number", describe(n));
            return n.doubleValue();
        });
    }

    Optional<Integer> integer(String name) {
        return node(name).map(n -> toInt(prefix + name, n));
    }

    Optional<Long> longInteger(String name) {
        return node(name).map(n -> {
            if (!isIntegral(n) || !n.canConvertToLong()) throw ApiException.invalidType(prefix + name, "an integer", describe(n));
            return n.longValue();
        });
    }

    /** A string or a list of strings ({@code stop}). */
    List<String> stringOrStrings(String name) {
        Optional<JsonNode> value = node(name);
        if (value.isEmpty()) return List.of();
        JsonNode n = value.get();
        if (n.isTextual()) return List.of(n.textValue());
        if (!n.isArray()) throw ApiException.invalidType(name, "a string or an array of strings", describe(n));
        List<String> out = new ArrayList<>();
        for (JsonNode item : n) {
            if (!item.isTextual()) throw ApiException.invalidType(name, "a string or an array of strings", "an array holding " + describe(item));
            out.add(item.textValue());
        }
        return out;
    }

    List<Integer> integers(String name) {
        Optional<JsonNode> value = node(name);
        if (value.isEmpty()) return List.of();
        JsonNode n = value.get();
        if (!n.isArray()) throw ApiException.invalidType(name, "an array of integers", describe(n));
        List<Integer> out = new ArrayList<>();
        for (JsonNode item : n) out.add(toInt(name, item));
        return out;
    }

    Optional<ObjectNode> object(String name) {
        return node(name).map(n -> {
            if (!(n instanceof ObjectNode o)) throw ApiException.invalidType(prefix + name, "an object", describe(n));
            return o;
        });
    }

    /** {@code logit_bias}: token ids written as JSON object keys, each mapped to a number. */
    Map<Integer, Float> logitBias(String name) {
        Optional<ObjectNode> value = object(name);
        if (value.isEmpty()) return Map.of();
        Map<Integer, Float> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : value.get().properties()) {
            int id;
            try {
                id = Integer.parseInt(e.getKey().trim());
            } catch (NumberFormatException ex) {
                throw ApiException.invalidValue(name, "Invalid key in '" + name + "': '" + e.getKey() + "' is not a token id.");
            }
            JsonNode bias = e.getValue();
            if (!bias.isNumber()) throw ApiException.invalidType(name + "." + e.getKey(), "a number", describe(bias));
            double v = bias.doubleValue();
            if (!(v >= -100 && v <= 100)) {
                throw ApiException.invalidValue(name, "Invalid value in '" + name + "' for token " + id + ": " + v + " is not in [-100, 100].");
            }
            out.put(id, (float) v);
        }
        return out;
    }

    static int toInt(String name, JsonNode n) {
        if (!isIntegral(n)) throw ApiException.invalidType(name, "an integer", describe(n));
        if (!n.canConvertToInt()) {
            throw ApiException.invalidValue(name, "Invalid value for '" + name + "': " + n.asText() + " is out of range.");
        }
        return n.intValue();
    }

    /** 3 and 3.0 are integers (JSON does not tell them apart); 3.5 is not. */
    private static boolean isIntegral(JsonNode n) {
        if (n.isIntegralNumber()) return true;
        if (!n.isFloatingPointNumber()) return false;
        double d = n.doubleValue();
        return Double.isFinite(d) && d == Math.rint(d) && Math.abs(d) < 9.007199254740992E15;
    }

    static String describe(JsonNode n) {
        return ApiException.describe(n);
    }
}
