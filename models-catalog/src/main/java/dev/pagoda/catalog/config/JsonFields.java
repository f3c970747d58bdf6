package dev.pagoda.catalog.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.pagoda.catalog.ModelFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Typed, checked access to the members of one JSON object read from a model file. Every problem
 * (missing key, wrong type, fraction where an integer belongs, number out of range) becomes a
 * {@link ModelFormatException} naming the file and the key, so callers never see a raw Jackson
 * exception, a NullPointerException or a silently truncated number.
 */
public final class JsonFields {

    /**
     * Duplicate keys are an error (a JSON object with two "hidden_size"s has no meaning); the
     * parser's own limits (nesting depth, number length) bound the work on hostile input.
     */
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private final Path file;
    private final String where;
    private final JsonNode object;

    private JsonFields(Path file, String where, JsonNode object) {
        this.file = file;
        this.where = where;
        this.object = object;
    }

    /** Reads {@code file} (at most {@code maxBytes}) and requires a JSON object at its top. */
    public static JsonFields readFile(Path file, long maxBytes) {
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > maxBytes) {
                throw new ModelFormatException(file, "file is " + size + " bytes; a valid one is at most " + maxBytes);
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(file, "file not found");
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read: " + e.getMessage(), e);
        }
        return parse(file, bytes, 0, bytes.length);
    }

    /** Parses {@code length} bytes of UTF-8 JSON from {@code bytes} and requires an object. */
    public static JsonFields parse(Path file, byte[] bytes, int offset, int length) {
        JsonNode root;
        try (JsonParser parser = MAPPER.createParser(bytes, offset, length)) {
            root = MAPPER.readTree(parser);
            if (root != null && parser.nextToken() != null) {
                throw new ModelFormatException(file, "unexpected content after the JSON object");
            }
        } catch (JacksonException e) {
            throw new ModelFormatException(file, "malformed JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot parse JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelFormatException(file, "expected a JSON object at the top level");
        }
        return new JsonFields(file, "", root);
    }

    public Path file() {
        return file;
    }

    public JsonNode node() {
        return object;
    }

    public boolean has(String key) {
        JsonNode v = object.get(key);
        return v != null && !v.isNull();
    }

    public List<String> keys() {
        List<String> keys = new ArrayList<>();
        object.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    /** The member {@code key} as a nested object, or null when absent or JSON null. */
    public JsonFields optionalObject(String key) {
        JsonNode v = object.get(key);
        if (v == null || v.isNull()) return null;
        if (!v.isObject()) throw wrong(key, "an object", v);
        return new JsonFields(file, path(key) + ".", v);
    }

    public int requiredInt(String key) {
        Integer v = optionalInt(key);
        if (v == null) throw missing(key);
        return v;
    }

    /** A positive int; zero or negative dimensions are never meaningful in a model config. */
    public int requiredPositiveInt(String key) {
        int v = requiredInt(key);
        if (v <= 0) throw new ModelFormatException(file, "\"" + path(key) + "\" must be positive, got " + v);
        return v;
    }

    public Integer optionalInt(String key) {
        JsonNode v = object.get(key);
        if (v == null || v.isNull()) return null;
        return toInt(key, v);
    }

    public long requiredLong(String key) {
        JsonNode v = object.get(key);
        if (v == null || v.isNull()) throw missing(key);
        return toLong(key, v);
    }

    public Double optionalDouble(String key) {
        JsonNode v = object.get(key);
        if (v == null || v.isNull()) return null;
        if (!v.isNumber()) throw wrong(key, "a number", v);
        double d = v.asDouble();
        if (!Double.isFinite(d)) throw wrong(key, "a finite number", v);
        return d;
    }

    public double requiredDouble(String key) {
        Double v = optionalDouble(key);
        if (v == null) throw missing(key);
        return v;
    }

    public Boolean optionalBoolean(String key) {
        JsonNode v = object.get(key);
        if (v == null || v.isNull()) return null;
        if (!v.isBoolean()) throw wrong(key, "true or false", v);
        return v.asBoolean();
    }

    public String optionalString(String key) {
        JsonNode v = object.get(key);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) throw wrong(key, "a string", v);
        return v.asText();
    }

    /** HF token-id fields hold one int, a list of ints, or null; absent and null give an empty list. */
    public List<Integer> intOrIntList(String key) {
        JsonNode v = object.get(key);
        if (v == null || v.isNull()) return List.of();
        if (v.isArray()) {
            List<Integer> ids = new ArrayList<>(v.size());
            for (JsonNode e : v) ids.add(toInt(key, e));
            return List.copyOf(ids);
        }
        return List.of(toInt(key, v));
    }

    /** An array of integers that fit a long, for shapes and offsets. */
    public long[] requiredLongArray(String key) {
        JsonNode v = object.get(key);
        if (v == null || v.isNull()) throw missing(key);
        if (!v.isArray()) throw wrong(key, "an array of integers", v);
        long[] out = new long[v.size()];
        for (int i = 0; i < out.length; i++) out[i] = toLong(key, v.get(i));
        return out;
    }

    private int toInt(String key, JsonNode v) {
        long l = toLong(key, v);
        if (l != (int) l) throw wrong(key, "an integer in the int range", v);
        return (int) l;
    }

    /** Accepts 4096 and 4096.0 (some exporters write whole numbers as floats), nothing fractional. */
    private long toLong(String key, JsonNode v) {
        if (v.isIntegralNumber()) {
            if (!v.canConvertToLong()) throw wrong(key, "an integer in the long range", v);
            return v.asLong();
        }
        if (v.isFloatingPointNumber()) {
            double d = v.asDouble();
            if (d == Math.rint(d) && Math.abs(d) < 0x1p62) return (long) d;
        }
        throw wrong(key, "an integer", v);
    }

    private String path(String key) {
        return where + key;
    }

    private ModelFormatException missing(String key) {
        return new ModelFormatException(file, "missing required key \"" + path(key) + "\"");
    }

    private ModelFormatException wrong(String key, String expected, JsonNode got) {
        String shown = got.toString();
        if (shown.length() > 60) shown = shown.substring(0, 60) + "…";
        return new ModelFormatException(file, "\"" + path(key) + "\" must be " + expected + ", got " + shown);
    }
}
