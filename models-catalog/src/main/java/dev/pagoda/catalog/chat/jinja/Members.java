package dev.pagoda.catalog.chat.jinja;

import java.util.function.Supplier;

/**
 * {@code object.name} and {@code object[key]}: dict entries first, then the built-in methods of the
 * value's type ({@link Methods}); list and string indices may be negative. A missing member is
 * undefined rather than an error, as in the reference, so {@code message.tool_calls} on a message
 * without tool calls simply tests false.
 */
final class Members {

    private Members() {}

    static Value get(Value object, Value key, Supplier<String> where) {
        switch (object) {
            case Value.Dict d -> {
                if (!(key instanceof Value.Str s)) throw new TemplateException(where.get() + ": dict keys are strings, got " + key.typeName());
                Value v = d.entries().get(s.value());
                return v != null ? v : orUndefined(Methods.of(object, s.value()));
            }
            case Value.Namespace ns -> {
                if (!(key instanceof Value.Str s)) throw new TemplateException(where.get() + ": namespace attributes are strings");
                return orUndefined(ns.entries().get(s.value()));
            }
            case Value.ListV l -> {
                if (key instanceof Value.Int i) {
                    long idx = i.value() < 0 ? i.value() + l.items().size() : i.value();
                    return idx >= 0 && idx < l.items().size() ? l.items().get((int) idx) : Value.UNDEFINED;
                }
                if (key instanceof Value.Str s) return orUndefined(Methods.of(object, s.value()));
                throw new TemplateException(where.get() + ": list indices must be integers, got " + key.typeName());
            }
            case Value.Str str -> {
                if (key instanceof Value.Int i) {
                    int[] cps = str.value().codePoints().toArray();
                    long idx = i.value() < 0 ? i.value() + cps.length : i.value();
                    return idx >= 0 && idx < cps.length ? Value.of(Character.toString(cps[(int) idx])) : Value.UNDEFINED;
                }
                if (key instanceof Value.Str s) return orUndefined(Methods.of(object, s.value()));
                throw new TemplateException(where.get() + ": string indices must be integers, got " + key.typeName());
            }
            default -> {
                if (key instanceof Value.Str s) return orUndefined(Methods.of(object, s.value()));
                throw new TemplateException(where.get() + ": cannot index " + object.typeName() + " with " + key.typeName());
            }
        }
    }

    private static Value orUndefined(Value v) {
        return v == null ? Value.UNDEFINED : v;
    }
}
