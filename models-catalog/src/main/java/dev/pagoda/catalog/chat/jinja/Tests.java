package dev.pagoda.catalog.chat.jinja;

import java.util.Locale;

/**
 * Jinja tests ({@code x is defined}, {@code n is divisibleby 3}). Type tests follow the reference:
 * {@code number} excludes booleans, {@code iterable} means list or string, {@code sequence} also
 * admits dicts.
 */
final class Tests {

    private Tests() {}

    static boolean test(String name, Value v, Arguments args) {
        return switch (name) {
            case "defined" -> !(v instanceof Value.Undefined);
            case "undefined" -> v instanceof Value.Undefined;
            case "none" -> v instanceof Value.None;
            case "string" -> v instanceof Value.Str;
            case "number" -> v instanceof Value.Int || v instanceof Value.Float;
            case "integer" -> v instanceof Value.Int;
            case "float" -> v instanceof Value.Float;
            case "boolean" -> v instanceof Value.Bool;
            case "true" -> v instanceof Value.Bool b && b.value();
            case "false" -> v instanceof Value.Bool b && !b.value();
            case "mapping" -> v instanceof Value.Dict;
            case "iterable" -> v instanceof Value.ListV || v instanceof Value.Str;
            case "sequence" -> v instanceof Value.ListV || v instanceof Value.Str || v instanceof Value.Dict;
            case "callable" -> v instanceof Value.Callable;
            case "lower" -> v instanceof Value.Str s && s.value().equals(s.value().toLowerCase(Locale.ROOT));
            case "upper" -> v instanceof Value.Str s && s.value().equals(s.value().toUpperCase(Locale.ROOT));
            case "odd" -> Math.floorMod(integer(v, name), 2) == 1;
            case "even" -> Math.floorMod(integer(v, name), 2) == 0;
            case "divisibleby" -> {
                long d = Values.toLong(argument(args, name));
                if (d == 0) throw new TemplateException("divisibleby 0");
                yield Math.floorMod(integer(v, name), d) == 0;
            }
            case "equalto", "eq", "==" -> Values.equal(v, argument(args, name));
            case "ne", "!=" -> !Values.equal(v, argument(args, name));
            case "lt", "lessthan", "<" -> Values.compare(v, argument(args, name), true) < 0;
            case "le", "<=" -> Values.compare(v, argument(args, name), true) <= 0;
            case "gt", "greaterthan", ">" -> Values.compare(v, argument(args, name), true) > 0;
            case "ge", ">=" -> Values.compare(v, argument(args, name), true) >= 0;
            case "in" -> Operators.contains(argument(args, name), v);
            case "sameas" -> {
                Value other = argument(args, name);
                yield v == other || (v instanceof Value.None && other instanceof Value.None)
                        || (v instanceof Value.Bool a && other instanceof Value.Bool b && a.value() == b.value());
            }
            default -> throw new TemplateException("unknown test '" + name + "'");
        };
    }

    private static long integer(Value v, String test) {
        if (v instanceof Value.Int i) return i.value();
        throw new TemplateException("test '" + test + "' needs an integer, got " + v.typeName());
    }

    private static Value argument(Arguments args, String test) {
        if (args.positional().isEmpty()) throw new TemplateException("test '" + test + "' needs an argument");
        return args.positional().getFirst();
    }
}
