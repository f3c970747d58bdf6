package dev.pagoda.catalog.chat.jinja;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Conversions between Java objects and {@link Value}s, and the value semantics shared by operators and filters. */
public final class Values {

    private Values() {}

    /**
     * Converts plain Java data (maps with string keys, lists, arrays, strings, numbers, booleans,
     * null, Jackson {@link JsonNode}s) into template values; a {@link Value} passes through.
     */
    public static Value fromJava(Object o) {
        return switch (o) {
            case null -> Value.NONE;
            case Value v -> v;
            case String s -> new Value.Str(s);
            case Boolean b -> Value.of(b);
            case Integer i -> new Value.Int(i);
            case Long l -> new Value.Int(l);
            case Short s -> new Value.Int(s);
            case Byte b -> new Value.Int(b);
            case BigInteger b -> new Value.Int(b.longValueExact());
            case Number n -> new Value.Float(n.doubleValue());
            case Character c -> new Value.Str(c.toString());
            case JsonNode n -> fromJson(n);
            case Map<?, ?> m -> {
                var entries = new LinkedHashMap<String, Value>();
                m.forEach((k, v) -> entries.put(String.valueOf(k), fromJava(v)));
                yield new Value.Dict(entries);
            }
            case Iterable<?> it -> {
                var items = new ArrayList<Value>();
                it.forEach(x -> items.add(fromJava(x)));
                yield new Value.ListV(items);
            }
            case Object[] arr -> fromJava(List.of(arr));
            default -> throw new IllegalArgumentException(
                    "cannot pass a " + o.getClass().getName() + " to a template (use maps, lists, strings, numbers, booleans)");
        };
    }

    private static Value fromJson(JsonNode n) {
        if (n.isNull() || n.isMissingNode()) return Value.NONE;
        if (n.isTextual()) return new Value.Str(n.textValue());
        if (n.isBoolean()) return Value.of(n.booleanValue());
        if (n.isIntegralNumber() && n.canConvertToLong()) return new Value.Int(n.longValue());
        if (n.isNumber()) return new Value.Float(n.doubleValue());
        if (n.isArray()) {
            var items = new ArrayList<Value>();
            n.forEach(x -> items.add(fromJson(x)));
            return new Value.ListV(items);
        }
        var entries = new LinkedHashMap<String, Value>();
        n.properties().forEach(e -> entries.put(e.getKey(), fromJson(e.getValue())));
        return new Value.Dict(entries);
    }

    /**
     * How a value prints in output and in {@code ~}: as {@code @huggingface/jinja} prints it (lists and
     * dicts as JSON with {@code ", "} and {@code ": "}, booleans as {@code true}/{@code false}), with
     * floats as Python prints them ({@code 1.0}, {@code 0.1}).
     */
    public static String str(Value v) {
        return switch (v) {
            case Value.Str s -> s.value();
            case Value.Int i -> Long.toString(i.value());
            case Value.Float f -> formatFloat(f.value());
            case Value.Bool b -> b.value() ? "true" : "false";
            case Value.None n -> "None";
            case Value.Undefined u -> "";
            case Value.ListV l -> Json.write(v, Json.Style.DISPLAY);
            case Value.Dict d -> Json.write(v, Json.Style.DISPLAY);
            case Value.Namespace n -> Json.write(v, Json.Style.DISPLAY);
            case Value.Callable c -> "<function " + c.name() + ">";
        };
    }

    /** Python's {@code repr} of a float: {@code 1.0}, {@code 0.30000000000000004}, {@code 1e-05}, {@code 1e+16}. */
    public static String formatFloat(double d) {
        if (Double.isNaN(d)) return "nan";
        if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
        if (d == 0) return (1 / d < 0) ? "-0.0" : "0.0";
        BigDecimal exact = new BigDecimal(Double.toString(d)).stripTrailingZeros(); // shortest round-trip digits
        int exponent = exact.precision() - exact.scale() - 1; // position of the first significant digit
        if (exponent >= -4 && exponent < 16) {
            String plain = exact.toPlainString();
            return plain.contains(".") ? plain : plain + ".0";
        }
        String digits = exact.unscaledValue().abs().toString();
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        String exp = (exponent < 0 ? "-" : "+") + (Math.abs(exponent) < 10 ? "0" : "") + Math.abs(exponent);
        return (d < 0 ? "-" : "") + mantissa + "e" + exp;
    }

    static boolean isNumber(Value v) {
        return v instanceof Value.Int || v instanceof Value.Float || v instanceof Value.Bool;
    }

    static double toDouble(Value v) {
        return switch (v) {
            case Value.Int i -> i.value();
            case Value.Float f -> f.value();
            case Value.Bool b -> b.value() ? 1 : 0;
            default -> throw new TemplateException("expected a number, got " + v.typeName());
        };
    }

    static long toLong(Value v) {
        return switch (v) {
            case Value.Int i -> i.value();
            case Value.Bool b -> b.value() ? 1 : 0;
            default -> throw new TemplateException("expected an integer, got " + v.typeName());
        };
    }

    /** Python equality: numbers by value (so {@code 1 == 1.0 == true}), containers element by element. */
    static boolean equal(Value a, Value b) {
        if (isNumber(a) && isNumber(b)) return toDouble(a) == toDouble(b);
        return switch (a) {
            case Value.Str s -> b instanceof Value.Str t && s.value().equals(t.value());
            case Value.None n -> b instanceof Value.None;
            case Value.Undefined u -> b instanceof Value.Undefined;
            case Value.ListV l -> b instanceof Value.ListV m && listEqual(l.items(), m.items());
            case Value.Dict d -> b instanceof Value.Dict e && mapEqual(d.entries(), e.entries());
            case Value.Namespace n -> a == b;
            case Value.Callable c -> a == b;
            default -> false;
        };
    }

    private static boolean listEqual(List<Value> a, List<Value> b) {
        if (a.size() != b.size()) return false;
        for (int i = 0; i < a.size(); i++) if (!equal(a.get(i), b.get(i))) return false;
        return true;
    }

    private static boolean mapEqual(Map<String, Value> a, Map<String, Value> b) {
        if (a.size() != b.size()) return false;
        for (var e : a.entrySet()) {
            Value other = b.get(e.getKey());
            if (other == null || !equal(e.getValue(), other)) return false;
        }
        return true;
    }

    /** Ordering for sort/min/max/comparisons: numbers with numbers, strings with strings (optionally ignoring case). */
    static int compare(Value a, Value b, boolean caseSensitive) {
        if (isNumber(a) && isNumber(b)) return Double.compare(toDouble(a), toDouble(b));
        if (a instanceof Value.Str s && b instanceof Value.Str t) {
            String x = caseSensitive ? s.value() : s.value().toLowerCase(java.util.Locale.ROOT);
            String y = caseSensitive ? t.value() : t.value().toLowerCase(java.util.Locale.ROOT);
            return x.compareTo(y);
        }
        if (a instanceof Value.ListV l && b instanceof Value.ListV m) {
            for (int i = 0; i < Math.min(l.items().size(), m.items().size()); i++) {
                int c = compare(l.items().get(i), m.items().get(i), caseSensitive);
                if (c != 0) return c;
            }
            return Integer.compare(l.items().size(), m.items().size());
        }
        if (a instanceof Value.None && b instanceof Value.None) return 0;
        throw new TemplateException("cannot compare " + a.typeName() + " with " + b.typeName());
    }

    /** Iterates a value as a for loop or a filter sees it: list items, dict keys, string characters. */
    static List<Value> iterate(Value v, String what) {
        return switch (v) {
            case Value.ListV l -> l.items();
            case Value.Dict d -> d.entries().keySet().stream().map(Value::of).toList();
            case Value.Str s -> s.value().codePoints().mapToObj(cp -> Value.of(Character.toString(cp))).toList();
            case Value.Undefined u -> List.of();
            default -> throw new TemplateException(what + ": " + v.typeName() + " is not iterable");
        };
    }

    /** {@code item.attr} or {@code item.attr.sub} (or {@code item.0}), undefined where a step is missing. */
    static Value attribute(Value item, String path) {
        Value v = item;
        for (String part : path.split("\\.")) {
            v = switch (v) {
                case Value.Dict d -> d.entries().getOrDefault(part, Value.UNDEFINED);
                case Value.Namespace n -> n.entries().getOrDefault(part, Value.UNDEFINED);
                case Value.ListV l -> {
                    try {
                        int i = Integer.parseInt(part);
                        yield i >= 0 && i < l.items().size() ? l.items().get(i) : Value.UNDEFINED;
                    } catch (NumberFormatException e) {
                        yield Value.UNDEFINED;
                    }
                }
                default -> Value.UNDEFINED;
            };
        }
        return v;
    }
}
