package dev.pagoda.catalog.chat.jinja;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * JSON text of template values as transformers' {@code tojson} writes it ({@code json.dumps} with
 * {@code ensure_ascii=False}): keys in insertion order, {@code ", "}/{@code ": "} separators, or
 * {@code ","} and newlines when indenting.
 */
final class Json {

    /**
     * @param indent spaces per level, or 0 for one line
     * @param display true where the reference prints an undefined member as {@code undefined}
     *     (printing a list or dict) instead of {@code null} ({@code tojson})
     */
    record Style(int indent, boolean ensureAscii, boolean sortKeys, String itemSeparator, String keySeparator, boolean display) {
        static final Style DISPLAY = new Style(0, false, false, ", ", ": ", true);

        static Style tojson(int indent, boolean ensureAscii, boolean sortKeys, List<String> separators) {
            String item = indent > 0 ? "," : ", ";
            String key = ": ";
            if (separators != null) {
                item = separators.get(0);
                key = separators.get(1);
            }
            return new Style(indent, ensureAscii, sortKeys, item, key, false);
        }
    }

    private Json() {}

    static String write(Value v, Style style) {
        var sb = new StringBuilder();
        write(v, style, 0, sb);
        return sb.toString();
    }

    private static void write(Value v, Style style, int depth, StringBuilder sb) {
        switch (v) {
            case Value.None n -> sb.append("null");
            case Value.Undefined u -> sb.append(style.display() ? "undefined" : "null");
            case Value.Bool b -> sb.append(b.value());
            case Value.Int i -> sb.append(i.value());
            case Value.Float f -> sb.append(jsonFloat(f.value()));
            case Value.Str s -> string(s.value(), style.ensureAscii(), sb);
            case Value.ListV l -> container('[', ']', l.items(), null, style, depth, sb);
            case Value.Dict d -> object(d.entries(), style, depth, sb);
            case Value.Namespace n -> object(n.entries(), style, depth, sb);
            case Value.Callable c -> throw new TemplateException("cannot convert function " + c.name() + " to JSON");
        }
    }

    private static String jsonFloat(double d) {
        if (Double.isNaN(d)) return "NaN";
        if (Double.isInfinite(d)) return d > 0 ? "Infinity" : "-Infinity";
        return Values.formatFloat(d);
    }

    private static void object(Map<String, Value> entries, Style style, int depth, StringBuilder sb) {
        var keys = new ArrayList<>(entries.keySet());
        if (style.sortKeys()) keys.sort(Comparator.naturalOrder());
        var values = keys.stream().map(entries::get).toList();
        container('{', '}', values, keys, style, depth, sb);
    }

    private static void container(char open, char close, List<Value> values, List<String> keys, Style style, int depth,
            StringBuilder sb) {
        sb.append(open);
        if (values.isEmpty()) {
            sb.append(close);
            return;
        }
        String childPad = "\n" + " ".repeat(style.indent() * (depth + 1));
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) sb.append(style.itemSeparator());
            if (style.indent() > 0) sb.append(childPad);
            if (keys != null) {
                string(keys.get(i), style.ensureAscii(), sb);
                sb.append(style.keySeparator());
            }
            write(values.get(i), style, depth + 1, sb);
        }
        if (style.indent() > 0) sb.append('\n').append(" ".repeat(style.indent() * depth));
        sb.append(close);
    }

    private static void string(String s, boolean ensureAscii, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    boolean loneSurrogate = Character.isSurrogate(c) && !pairedSurrogate(s, i);
                    if (c < 0x20 || loneSurrogate || (ensureAscii && c >= 0x7f)) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    private static boolean pairedSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
