package dev.pagoda.catalog.chat.jinja;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;

/**
 * Python methods templates call on values: {@code content.strip()}, {@code message.get('x')},
 * {@code items.append(x)}. Each call binds the receiver into a fresh {@link Value.Callable}.
 * {@code length} is a property, as in the reference.
 */
final class Methods {

    private Methods() {}

    /** The member {@code name} of {@code receiver}, or null when its type has none by that name. */
    static Value of(Value receiver, String name) {
        return switch (receiver) {
            case Value.Str s -> name.equals("length") ? new Value.Int(s.value().codePointCount(0, s.value().length())) : bind(name, args -> string(s.value(), name, args), stringMethod(name));
            case Value.ListV l -> name.equals("length") ? new Value.Int(l.items().size()) : bind(name, args -> list(l, name, args), listMethod(name));
            case Value.Dict d -> bind(name, args -> dict(d, name, args), dictMethod(name));
            default -> null;
        };
    }

    private static Value bind(String name, Value.Function f, boolean exists) {
        return exists ? new Value.Callable(name, f) : null;
    }

    private static boolean stringMethod(String name) {
        return switch (name) {
            case "upper", "lower", "strip", "lstrip", "rstrip", "title", "capitalize", "startswith", "endswith", "split",
                    "rsplit", "replace", "find", "rfind", "count", "join", "splitlines", "isdigit", "isalpha", "isalnum",
                    "isspace", "isupper", "islower", "format" -> true;
            default -> false;
        };
    }

    private static boolean listMethod(String name) {
        return switch (name) {
            case "append", "pop", "index", "count", "extend", "insert" -> true;
            default -> false;
        };
    }

    private static boolean dictMethod(String name) {
        return switch (name) {
            case "get", "items", "keys", "values", "update", "pop" -> true;
            default -> false;
        };
    }

    private static String text(Value v, String what) {
        if (v instanceof Value.Str s) return s.value();
        throw new TemplateException(what + " must be a string, got " + v.typeName());
    }

    private static Value string(String s, String name, Arguments args) {
        return switch (name) {
            case "upper" -> Value.of(s.toUpperCase(Locale.ROOT));
            case "lower" -> Value.of(s.toLowerCase(Locale.ROOT));
            case "title" -> Value.of(Text.title(s));
            case "capitalize" -> Value.of(Text.capitalize(s));
            case "strip", "lstrip", "rstrip" -> Value.of(strip(s, name, args.get(0, "chars")));
            case "startswith", "endswith" -> Value.of(affix(s, name, args.get(0, "prefix")));
            case "split" -> split(s, args.get(0, "sep", Value.NONE), Values.toLong(args.get(1, "maxsplit", new Value.Int(-1))), false);
            case "rsplit" -> split(s, args.get(0, "sep", Value.NONE), Values.toLong(args.get(1, "maxsplit", new Value.Int(-1))), true);
            case "replace" -> Value.of(Strings.replace(s, text(args.get(0, "old"), "replace() old"),
                    text(args.get(1, "new"), "replace() new"), Values.toLong(args.get(2, "count", new Value.Int(-1)))));
            case "find" -> new Value.Int(s.indexOf(text(args.get(0, "sub"), "find() argument")));
            case "rfind" -> new Value.Int(s.lastIndexOf(text(args.get(0, "sub"), "rfind() argument")));
            case "count" -> new Value.Int(Strings.count(s, text(args.get(0, "sub"), "count() argument")));
            case "join" -> {
                var parts = new ArrayList<String>();
                for (Value v : Values.iterate(args.get(0, "iterable"), "join()")) parts.add(Values.str(v));
                yield Value.of(String.join(s, parts));
            }
            case "splitlines" -> new Value.ListV(s.lines().map(Value::of).toList());
            case "isdigit" -> Value.of(!s.isEmpty() && s.chars().allMatch(Character::isDigit));
            case "isalpha" -> Value.of(!s.isEmpty() && s.chars().allMatch(Character::isLetter));
            case "isalnum" -> Value.of(!s.isEmpty() && s.chars().allMatch(Character::isLetterOrDigit));
            case "isspace" -> Value.of(!s.isEmpty() && s.chars().allMatch(c -> Text.isWhitespace((char) c)));
            case "isupper" -> Value.of(s.chars().anyMatch(Character::isLetter) && s.equals(s.toUpperCase(Locale.ROOT)));
            case "islower" -> Value.of(s.chars().anyMatch(Character::isLetter) && s.equals(s.toLowerCase(Locale.ROOT)));
            case "format" -> Value.of(Strings.format(s, args));
            default -> throw new IllegalStateException(name);
        };
    }

    private static String strip(String s, String name, Value chars) {
        if (chars instanceof Value.None || chars instanceof Value.Undefined) {
            return switch (name) {
                case "lstrip" -> Text.stripStart(s);
                case "rstrip" -> Text.stripEnd(s);
                default -> Text.strip(s);
            };
        }
        String set = text(chars, name + "() argument");
        return Text.stripChars(s, set, !name.equals("rstrip"), !name.equals("lstrip"));
    }

    private static boolean affix(String s, String name, Value pattern) {
        List<Value> options = pattern instanceof Value.ListV l ? l.items() : List.of(pattern);
        for (Value o : options) {
            String p = text(o, name + "() argument");
            if (name.equals("startswith") ? s.startsWith(p) : s.endsWith(p)) return true;
        }
        return false;
    }

    private static Value split(String s, Value sep, long maxsplit, boolean fromRight) {
        List<String> parts = sep instanceof Value.None || sep instanceof Value.Undefined
                ? Strings.splitWhitespace(s, maxsplit, fromRight)
                : Strings.split(s, text(sep, "split() separator"), maxsplit, fromRight);
        return new Value.ListV(parts.stream().map(Value::of).toList());
    }

    private static Value list(Value.ListV l, String name, Arguments args) {
        List<Value> items = l.items();
        return switch (name) {
            case "append" -> {
                items.add(args.get(0, "object"));
                yield Value.NONE;
            }
            case "extend" -> {
                items.addAll(List.copyOf(Values.iterate(args.get(0, "iterable"), "extend()")));
                yield Value.NONE;
            }
            case "insert" -> {
                long at = Values.toLong(args.get(0, "index"));
                int idx = (int) Math.max(0, Math.min(items.size(), at < 0 ? at + items.size() : at));
                items.add(idx, args.get(1, "object"));
                yield Value.NONE;
            }
            case "pop" -> {
                if (items.isEmpty()) throw new TemplateException("pop from empty list");
                long at = Values.toLong(args.get(0, "index", new Value.Int(-1)));
                long idx = at < 0 ? at + items.size() : at;
                if (idx < 0 || idx >= items.size()) throw new TemplateException("pop index out of range");
                yield items.remove((int) idx);
            }
            case "index" -> {
                Value x = args.get(0, "value");
                for (int i = 0; i < items.size(); i++) if (Values.equal(items.get(i), x)) yield new Value.Int(i);
                throw new TemplateException(Values.str(x) + " is not in list");
            }
            case "count" -> new Value.Int(items.stream().filter(x -> Values.equal(x, args.get(0, "value"))).count());
            default -> throw new IllegalStateException(name);
        };
    }

    /** {@code d.items()}: [key, value] pairs in insertion order. */
    static Value items(Value.Dict d) {
        return new Value.ListV(d.entries().entrySet().stream()
                .map(e -> (Value) new Value.ListV(List.of(Value.of(e.getKey()), e.getValue()))).toList());
    }

    private static Value dict(Value.Dict d, String name, Arguments args) {
        var entries = d.entries();
        return switch (name) {
            case "get" -> {
                Value v = entries.get(text(args.get(0, "key"), "get() key"));
                yield v != null ? v : args.get(1, "default", Value.NONE);
            }
            case "items" -> items(d);
            case "keys" -> new Value.ListV(entries.keySet().stream().map(Value::of).toList());
            case "values" -> new Value.ListV(List.copyOf(entries.values()));
            case "update" -> {
                for (Value a : args.positional()) {
                    if (!(a instanceof Value.Dict other)) throw new TemplateException("update() needs a dict");
                    entries.putAll(new LinkedHashMap<>(other.entries()));
                }
                entries.putAll(args.keywords());
                yield Value.NONE;
            }
            case "pop" -> {
                Value v = entries.remove(text(args.get(0, "key"), "pop() key"));
                if (v != null) yield v;
                Value def = args.get(1, "default");
                if (def instanceof Value.Undefined) throw new TemplateException("pop(): key not in dict");
                yield def;
            }
            default -> throw new IllegalStateException(name);
        };
    }
}
