package dev.pagoda.catalog.chat.jinja;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The filters chat templates use ({@code x | trim}, {@code tools | tojson(indent=4)}). Where
 * {@code @huggingface/jinja} defines a filter its result is reproduced (e.g. {@code unique} compares
 * exactly, {@code capitalize} leaves the rest of the string alone); the filters it lacks follow
 * Python Jinja.
 */
final class Filters {

    private static final Pattern WORD = Pattern.compile("\\w+", Pattern.UNICODE_CHARACTER_CLASS);

    private Filters() {}

    static Value apply(String name, Value v, Arguments args) {
        return switch (name) {
            case "safe" -> v;
            case "escape", "e", "forceescape" -> Value.of(escape(Values.str(v)));
            case "tojson" -> tojson(v, args);
            case "string" -> v instanceof Value.Str ? v : Value.of(Values.str(v));
            case "list" -> new Value.ListV(Values.iterate(v, "list"));
            case "first" -> {
                List<Value> items = Values.iterate(v, "first");
                yield items.isEmpty() ? Value.UNDEFINED : items.getFirst();
            }
            case "last" -> {
                List<Value> items = Values.iterate(v, "last");
                yield items.isEmpty() ? Value.UNDEFINED : items.getLast();
            }
            case "length", "count" -> new Value.Int(switch (v) {
                case Value.Str s -> s.value().codePointCount(0, s.value().length());
                case Value.ListV l -> l.items().size();
                case Value.Dict d -> d.entries().size();
                case Value.Undefined u -> 0;
                default -> throw new TemplateException("length of " + v.typeName() + " is not defined");
            });
            case "reverse" -> {
                if (v instanceof Value.Str s) yield Value.of(new StringBuilder(s.value()).reverse().toString());
                var items = new ArrayList<>(Values.iterate(v, "reverse"));
                java.util.Collections.reverse(items);
                yield new Value.ListV(items);
            }
            case "sort" -> sort(v, args);
            case "unique" -> {
                var out = new ArrayList<Value>();
                for (Value x : Values.iterate(v, "unique")) {
                    if (out.stream().noneMatch(y -> Values.equal(x, y))) out.add(x);
                }
                yield new Value.ListV(out);
            }
            case "join" -> join(v, args);
            case "upper" -> Value.of(Values.str(v).toUpperCase(Locale.ROOT));
            case "lower" -> Value.of(Values.str(v).toLowerCase(Locale.ROOT));
            case "title" -> Value.of(Text.title(Values.str(v)));
            case "capitalize" -> Value.of(Text.capitalize(Values.str(v)));
            case "trim" -> {
                Value chars = args.get(0, "chars");
                yield Value.of(chars instanceof Value.Str c ? Text.stripChars(Values.str(v), c.value(), true, true)
                        : Text.strip(Values.str(v)));
            }
            case "indent" -> indent(Values.str(v), args);
            case "replace" -> Value.of(Strings.replace(Values.str(v), Values.str(args.get(0, "old")),
                    Values.str(args.get(1, "new")), Values.toLong(args.get(2, "count", new Value.Int(-1)))));
            case "wordcount" -> new Value.Int(WORD.matcher(Values.str(v)).results().count());
            case "int" -> toInt(v, args.get(0, "default", new Value.Int(0)));
            case "float" -> toFloat(v, args.get(0, "default", new Value.Float(0)));
            case "bool" -> Value.of(v.truthy());
            case "abs" -> switch (v) {
                case Value.Int i -> new Value.Int(Math.abs(i.value()));
                case Value.Float f -> new Value.Float(Math.abs(f.value()));
                case Value.Bool b -> new Value.Int(b.value() ? 1 : 0);
                default -> throw new TemplateException("abs of " + v.typeName());
            };
            case "round" -> round(v, args);
            case "default", "d" -> {
                boolean onFalsy = args.get(1, "boolean", Value.FALSE).truthy();
                yield v instanceof Value.Undefined || (onFalsy && !v.truthy()) ? args.get(0, "default_value", Value.of("")) : v;
            }
            case "items" -> switch (v) {
                case Value.Dict d -> Methods.items(d);
                case Value.Undefined u -> new Value.ListV(List.of());
                default -> throw new TemplateException("items of " + v.typeName() + " (needs a dict)");
            };
            case "dictsort" -> dictsort(v, args);
            case "map" -> map(v, args);
            case "select", "reject" -> select(v, args, name.equals("select"), null);
            case "selectattr", "rejectattr" -> {
                if (!(args.get(0, "attribute") instanceof Value.Str attr)) throw new TemplateException(name + " needs an attribute name");
                var rest = new Arguments(args.positional().subList(1, args.positional().size()), args.keywords());
                yield select(v, rest, name.equals("selectattr"), attr.value());
            }
            case "sum" -> sum(v, args);
            case "min", "max" -> minMax(v, args, name.equals("max"));
            case "batch" -> batch(v, args);
            default -> throw new TemplateException("unknown filter '" + name + "'");
        };
    }

    private static String escape(String s) {
        var sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&#34;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    /** transformers' tojson: {@code tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False)}. */
    private static Value tojson(Value v, Arguments args) {
        boolean ascii = args.get(0, "ensure_ascii", Value.FALSE).truthy();
        Value indent = args.get(1, "indent", Value.NONE);
        Value seps = args.get(2, "separators", Value.NONE);
        boolean sortKeys = args.get(3, "sort_keys", Value.FALSE).truthy();
        List<String> separators = null;
        if (seps instanceof Value.ListV l) {
            if (l.items().size() != 2) throw new TemplateException("tojson separators must be two strings");
            separators = List.of(Values.str(l.items().get(0)), Values.str(l.items().get(1)));
        }
        int width = indent instanceof Value.None ? 0 : (int) Values.toLong(indent);
        return Value.of(Json.write(v, Json.Style.tojson(width, ascii, sortKeys, separators)));
    }

    private static Value sort(Value v, Arguments args) {
        boolean reverse = args.get(0, "reverse", Value.FALSE).truthy();
        boolean caseSensitive = args.get(1, "case_sensitive", Value.FALSE).truthy();
        Value attribute = args.get(2, "attribute", Value.NONE);
        var items = new ArrayList<>(Values.iterate(v, "sort"));
        Comparator<Value> cmp = (a, b) -> Values.compare(key(a, attribute), key(b, attribute), caseSensitive);
        items.sort(reverse ? cmp.reversed() : cmp);
        return new Value.ListV(items);
    }

    private static Value key(Value item, Value attribute) {
        return attribute instanceof Value.None ? item : Values.attribute(item, Values.str(attribute));
    }

    private static Value join(Value v, Arguments args) {
        String sep = Values.str(args.get(0, "d", Value.of("")));
        Value attribute = args.get(1, "attribute", Value.NONE);
        var parts = new ArrayList<String>();
        for (Value x : Values.iterate(v, "join")) parts.add(Values.str(key(x, attribute)));
        return Value.of(String.join(sep, parts));
    }

    private static Value indent(String s, Arguments args) {
        Value width = args.get(0, "width", new Value.Int(4));
        String pad = width instanceof Value.Str w ? w.value() : " ".repeat((int) Values.toLong(width));
        boolean first = args.get(1, "first", Value.FALSE).truthy();
        boolean blank = args.get(2, "blank", Value.FALSE).truthy();
        String[] lines = s.split("\n", -1);
        var sb = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            if (i > 0) sb.append('\n');
            boolean indentIt = (first || i > 0) && (blank || !lines[i].isEmpty());
            if (indentIt) sb.append(pad);
            sb.append(lines[i]);
        }
        return Value.of(sb.toString());
    }

    private static Value toInt(Value v, Value fallback) {
        return switch (v) {
            case Value.Int i -> i;
            case Value.Bool b -> new Value.Int(b.value() ? 1 : 0);
            case Value.Float f -> new Value.Int((long) f.value());
            case Value.Str s -> {
                String t = s.value().strip().replace("_", "");
                try {
                    yield new Value.Int(Long.parseLong(t));
                } catch (NumberFormatException e) {
                    try {
                        yield new Value.Int((long) Double.parseDouble(t));
                    } catch (NumberFormatException e2) {
                        yield fallback;
                    }
                }
            }
            default -> fallback;
        };
    }

    private static Value toFloat(Value v, Value fallback) {
        return switch (v) {
            case Value.Int i -> new Value.Float(i.value());
            case Value.Bool b -> new Value.Float(b.value() ? 1 : 0);
            case Value.Float f -> f;
            case Value.Str s -> {
                try {
                    yield new Value.Float(Double.parseDouble(s.value().strip()));
                } catch (NumberFormatException e) {
                    yield fallback;
                }
            }
            default -> fallback;
        };
    }

    private static Value round(Value v, Arguments args) {
        int precision = (int) Values.toLong(args.get(0, "precision", new Value.Int(0)));
        String method = Values.str(args.get(1, "method", Value.of("common")));
        RoundingMode mode = switch (method) {
            case "common" -> RoundingMode.HALF_EVEN; // Python round() on the exact binary value
            case "ceil" -> RoundingMode.CEILING;
            case "floor" -> RoundingMode.FLOOR;
            default -> throw new TemplateException("round method must be common, ceil or floor");
        };
        double d = Values.toDouble(v);
        if (Double.isNaN(d) || Double.isInfinite(d)) return new Value.Float(d);
        return new Value.Float(new BigDecimal(d).setScale(precision, mode).doubleValue());
    }

    private static Value dictsort(Value v, Arguments args) {
        if (!(v instanceof Value.Dict d)) throw new TemplateException("dictsort needs a dict, got " + v.typeName());
        boolean caseSensitive = args.get(0, "case_sensitive", Value.FALSE).truthy();
        String by = Values.str(args.get(1, "by", Value.of("key")));
        if (!by.equals("key") && !by.equals("value")) throw new TemplateException("dictsort: by must be 'key' or 'value'");
        boolean reverse = args.get(2, "reverse", Value.FALSE).truthy();
        var pairs = new ArrayList<Value.ListV>();
        d.entries().forEach((k, x) -> pairs.add(new Value.ListV(List.of(Value.of(k), x))));
        int at = by.equals("key") ? 0 : 1;
        Comparator<Value.ListV> cmp = (a, b) -> Values.compare(a.items().get(at), b.items().get(at), caseSensitive);
        pairs.sort(reverse ? cmp.reversed() : cmp);
        return new Value.ListV(new ArrayList<>(pairs));
    }

    private static Value map(Value v, Arguments args) {
        List<Value> items = Values.iterate(v, "map");
        var out = new ArrayList<Value>(items.size());
        if (args.keywords().containsKey("attribute")) {
            String attr = Values.str(args.keywords().get("attribute"));
            Value fallback = args.keywords().get("default");
            for (Value x : items) {
                Value a = Values.attribute(x, attr);
                out.add(a instanceof Value.Undefined && fallback != null ? fallback : a);
            }
            return new Value.ListV(out);
        }
        if (args.positional().isEmpty()) throw new TemplateException("map needs a filter name or attribute=...");
        String filter = Values.str(args.positional().getFirst());
        var rest = new Arguments(args.positional().subList(1, args.positional().size()), args.keywords());
        for (Value x : items) out.add(apply(filter, x, rest));
        return new Value.ListV(out);
    }

    private static Value select(Value v, Arguments args, boolean keep, String attribute) {
        String test = args.positional().isEmpty() ? null : Values.str(args.positional().getFirst());
        var testArgs = new Arguments(test == null ? List.of() : args.positional().subList(1, args.positional().size()), args.keywords());
        var out = new ArrayList<Value>();
        for (Value x : Values.iterate(v, "select")) {
            Value subject = attribute == null ? x : Values.attribute(x, attribute);
            boolean pass = test == null ? subject.truthy() : Tests.test(test, subject, testArgs);
            if (pass == keep) out.add(x);
        }
        return new Value.ListV(out);
    }

    private static Value sum(Value v, Arguments args) {
        Value attribute = args.get(0, "attribute", Value.NONE);
        Value total = args.get(1, "start", new Value.Int(0));
        for (Value x : Values.iterate(v, "sum")) total = Operators.apply("+", total, key(x, attribute));
        return total;
    }

    private static Value minMax(Value v, Arguments args, boolean max) {
        boolean caseSensitive = args.get(0, "case_sensitive", Value.FALSE).truthy();
        Value attribute = args.get(1, "attribute", Value.NONE);
        Value best = null;
        for (Value x : Values.iterate(v, max ? "max" : "min")) {
            if (best == null) {
                best = x;
                continue;
            }
            int c = Values.compare(key(x, attribute), key(best, attribute), caseSensitive);
            if (max ? c > 0 : c < 0) best = x;
        }
        return best == null ? Value.UNDEFINED : best;
    }

    private static Value batch(Value v, Arguments args) {
        long size = Values.toLong(args.get(0, "linecount"));
        if (size <= 0) throw new TemplateException("batch size must be positive");
        Value fill = args.get(1, "fill_with", Value.NONE);
        var out = new ArrayList<Value>();
        var current = new ArrayList<Value>();
        for (Value x : Values.iterate(v, "batch")) {
            current.add(x);
            if (current.size() == size) {
                out.add(new Value.ListV(current));
                current = new ArrayList<>();
            }
        }
        if (!current.isEmpty()) {
            if (!(fill instanceof Value.None)) while (current.size() < size) current.add(fill);
            out.add(new Value.ListV(current));
        }
        return new Value.ListV(out);
    }
}
