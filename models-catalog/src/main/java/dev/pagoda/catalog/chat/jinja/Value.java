package dev.pagoda.catalog.chat.jinja;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A runtime value of the template language. Integers and floats are distinct (Jinja prints {@code 1}
 * and {@code 1.0}); none and undefined are distinct (a missing key is undefined, a JSON null is none).
 * Lists and dicts are mutable because templates may call {@code append} or {@code update}; each render
 * converts its inputs afresh, so a compiled template never shares them between renders.
 */
public sealed interface Value {

    Value NONE = new None();
    Value UNDEFINED = new Undefined();
    Value TRUE = new Bool(true);
    Value FALSE = new Bool(false);

    /** Python truthiness: empty strings, lists, dicts, zero, none and undefined are false. */
    boolean truthy();

    /** The name used in error messages, e.g. "string", "list". */
    String typeName();

    record Str(String value) implements Value {
        public boolean truthy() { return !value.isEmpty(); }
        public String typeName() { return "string"; }
    }

    record Int(long value) implements Value {
        public boolean truthy() { return value != 0; }
        public String typeName() { return "integer"; }
    }

    record Float(double value) implements Value {
        public boolean truthy() { return value != 0; }
        public String typeName() { return "float"; }
    }

    record Bool(boolean value) implements Value {
        public boolean truthy() { return value; }
        public String typeName() { return "boolean"; }
    }

    record None() implements Value {
        public boolean truthy() { return false; }
        public String typeName() { return "none"; }
    }

    record Undefined() implements Value {
        public boolean truthy() { return false; }
        public String typeName() { return "undefined"; }
    }

    /** A list or tuple; Jinja templates treat both alike. */
    record ListV(List<Value> items) implements Value {
        public ListV { items = new ArrayList<>(items); }
        public boolean truthy() { return !items.isEmpty(); }
        public String typeName() { return "list"; }
    }

    /** A dict with string keys in insertion order (as Python dicts and JSON objects keep them). */
    record Dict(Map<String, Value> entries) implements Value {
        public Dict { entries = new LinkedHashMap<>(entries); }
        public boolean truthy() { return !entries.isEmpty(); }
        public String typeName() { return "dict"; }
    }

    /** The mutable object {@code namespace(...)} returns: the one thing a loop body may assign into. */
    record Namespace(Map<String, Value> entries) implements Value {
        public Namespace { entries = new LinkedHashMap<>(entries); }
        public boolean truthy() { return true; }
        public String typeName() { return "namespace"; }
    }

    /** A global function, macro, bound method or {@code caller}. */
    record Callable(String name, Function body) implements Value {
        public boolean truthy() { return true; }
        public String typeName() { return "function"; }
    }

    /** The body of a {@link Callable}: positional arguments plus keyword arguments in call order. */
    @FunctionalInterface
    interface Function {
        Value call(Arguments args);
    }

    static Value of(boolean b) { return b ? TRUE : FALSE; }

    static Value of(String s) { return new Str(s); }
}
