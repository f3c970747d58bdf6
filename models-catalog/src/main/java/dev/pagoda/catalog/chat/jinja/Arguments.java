package dev.pagoda.catalog.chat.jinja;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The evaluated arguments of a call, filter or test: positional ones in order, keyword ones in call
 * order. Python lets most parameters come either way, so {@link #get(int, String)} looks in both.
 */
public record Arguments(List<Value> positional, Map<String, Value> keywords) {

    public static final Arguments NONE = new Arguments(List.of(), Map.of());

    public Arguments {
        positional = List.copyOf(positional);
        keywords = new LinkedHashMap<>(keywords);
    }

    /** The parameter at {@code index} if passed positionally, else by {@code name}, else undefined. */
    public Value get(int index, String name) {
        if (index >= 0 && index < positional.size()) return positional.get(index);
        Value v = keywords.get(name);
        return v != null ? v : Value.UNDEFINED;
    }

    /** Like {@link #get(int, String)} with a default for a parameter not passed. */
    public Value get(int index, String name, Value fallback) {
        Value v = get(index, name);
        return v instanceof Value.Undefined ? fallback : v;
    }
}
