package dev.pagoda.webapi.openai.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;

/**
 * A call written as one JSON object, {@code {"name": "f", "arguments": {...}}} (the key for the
 * arguments differs by format: {@code arguments}, {@code parameters}). The arguments are passed on as
 * the model wrote them, not re-serialised, so a streamed call is the same text piece by piece as the
 * whole one.
 */
final class CallObject {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** What a call without arguments gets, as vLLM fills in for a function without parameters. */
    static final String NO_ARGUMENTS = "{}";

    private CallObject() {}

    /**
     * The call that {@code object} holds so far, or null while its name is incomplete (or absent).
     *
     * @param argumentKeys the keys that may hold the arguments, the first present one wins
     * @param readUntil    how far the whole text is valid JSON (see {@link PartialJson.Result#readUntil})
     */
    static PartialCall read(String text, PartialJson.Node object, List<String> argumentKeys, int readUntil) {
        String name = name(object);
        if (name == null) return null;
        String key = argumentKeys.stream().filter(object::has).findFirst().orElse(null);
        PartialJson.Node value = key == null ? null : object.get(key);
        String arguments;
        boolean argumentsDone;
        if (value == null) {
            // No arguments yet; once the object is closed without them the call has none.
            argumentsDone = object.complete();
            arguments = argumentsDone ? NO_ARGUMENTS : "";
        } else if (value.kind == PartialJson.Kind.OBJECT || value.kind == PartialJson.Kind.ARRAY) {
            argumentsDone = value.complete();
            arguments = text.substring(value.start, argumentsDone ? value.end : Math.max(value.start, readUntil));
        } else {
            // A string or scalar goes out whole once finished: a string holding JSON is that JSON.
            argumentsDone = value.complete();
            arguments = argumentsDone ? scalarArguments(text, value) : "";
        }
        return new PartialCall(name, arguments, object.complete() && argumentsDone);
    }

    /** The complete string value of {@code "name"}, else null. */
    static String name(PartialJson.Node object) {
        PartialJson.Node name = object.get("name");
        return name != null && name.kind == PartialJson.Kind.STRING && name.complete() ? name.string : null;
    }

    private static String scalarArguments(String text, PartialJson.Node value) {
        String raw = text.substring(value.start, value.end);
        if (value.kind == PartialJson.Kind.STRING) {
            try {
                JsonNode parsed = JSON.readTree(value.string);
                if (parsed != null && parsed.isContainerNode()) return value.string.strip();
            } catch (JsonProcessingException e) {
                // not JSON inside: the string itself is the value
            }
            return raw;
        }
        return raw.equals("null") ? NO_ARGUMENTS : raw;
    }
}
