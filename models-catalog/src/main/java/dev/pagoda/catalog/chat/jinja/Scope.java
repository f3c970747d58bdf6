package dev.pagoda.catalog.chat.jinja;

import java.util.HashMap;
import java.util.Map;

/**
 * Variables visible at one point of a render. A for loop and a macro call open a child scope, so a
 * {@code set} inside them does not leak out (Jinja's rule, and why templates use {@code namespace}).
 */
final class Scope {

    private final Scope parent;
    private final Map<String, Value> variables = new HashMap<>();

    Scope(Scope parent) {
        this.parent = parent;
    }

    Value lookup(String name) {
        for (Scope s = this; s != null; s = s.parent) {
            Value v = s.variables.get(name);
            if (v != null) return v;
        }
        return Value.UNDEFINED;
    }

    void set(String name, Value value) {
        variables.put(name, value);
    }
}
