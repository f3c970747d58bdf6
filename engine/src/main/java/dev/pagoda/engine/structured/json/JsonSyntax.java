package dev.pagoda.engine.structured.json;

import dev.pagoda.engine.structured.grammar.ByteSet;
import dev.pagoda.engine.structured.grammar.CodepointSet;
import dev.pagoda.engine.structured.grammar.Expr;
import dev.pagoda.engine.structured.grammar.Grammar;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * JSON's lexical pieces as grammar expressions, with the bounds that keep a model from running
 * on forever inside one: whitespace between tokens is at most {@value #MAX_WHITESPACE} bytes of
 * space, tab or newline; an integer part has at most {@value #MAX_INTEGER_DIGITS} digits, a
 * fraction at most {@value #MAX_FRACTION_DIGITS}, an exponent at most {@value #MAX_EXPONENT_DIGITS}.
 * Strings are JSON strings exactly (any character but {@code "}, backslash and U+0000..U+001F,
 * or an escape).
 */
public final class JsonSyntax {

    public static final int MAX_WHITESPACE = 20;
    public static final int MAX_INTEGER_DIGITS = 20;
    public static final int MAX_FRACTION_DIGITS = 20;
    public static final int MAX_EXPONENT_DIGITS = 3;

    /** The rule name of the recursive "any JSON value". */
    public static final String VALUE_RULE = "json_value";

    private JsonSyntax() {}

    static final Expr WS = Expr.repeat(new Expr.Bytes(ByteSet.of(' ', '\t', '\n')), 0, MAX_WHITESPACE);
    static final Expr DIGIT = new Expr.Bytes(ByteSet.range('0', '9'));
    static final Expr NONZERO_DIGIT = new Expr.Bytes(ByteSet.range('1', '9'));
    private static final Expr HEX = new Expr.Bytes(ByteSet.range('0', '9').union(ByteSet.range('a', 'f')).union(ByteSet.range('A', 'F')));

    /** A character written as itself in a JSON string: anything but {@code "}, backslash and the C0 controls. */
    static final CodepointSet PLAIN = CodepointSet.range(0, 0x1F).union(CodepointSet.ofChars("\"\\")).complement();

    /** One string character: a plain character or an escape. */
    static final Expr STRING_CHAR = Expr.alt(Expr.chars(PLAIN),
            Expr.seq(Expr.literal("\\"), Expr.alt(new Expr.Bytes(ByteSet.of('"', '\\', '/', 'b', 'f', 'n', 'r', 't')),
                    Expr.seq(Expr.literal("u"), Expr.repeat(HEX, 4, 4)))));

    static final Expr QUOTE = Expr.literal("\"");

    /** Any JSON string. */
    static final Expr STRING = Expr.seq(QUOTE, Expr.star(STRING_CHAR), QUOTE);

    static final Expr FRACTION = Expr.seq(Expr.literal("."), Expr.repeat(DIGIT, 1, MAX_FRACTION_DIGITS));
    static final Expr EXPONENT = Expr.seq(new Expr.Bytes(ByteSet.of('e', 'E')), Expr.optional(new Expr.Bytes(ByteSet.of('+', '-'))),
            Expr.repeat(DIGIT, 1, MAX_EXPONENT_DIGITS));
    static final Expr NATURAL = Expr.alt(Expr.literal("0"), Expr.seq(NONZERO_DIGIT, Expr.repeat(DIGIT, 0, MAX_INTEGER_DIGITS - 1)));
    static final Expr INTEGER = Expr.seq(Expr.optional(Expr.literal("-")), NATURAL);
    static final Expr NUMBER = Expr.seq(INTEGER, Expr.optional(FRACTION), Expr.optional(EXPONENT));
    static final Expr BOOLEAN = Expr.alt(Expr.literal("true"), Expr.literal("false"));
    static final Expr NULL = Expr.literal("null");

    /** {@code open ws (item (ws sep ws item)* ws)? close}: a possibly empty, comma-separated list. */
    static Expr list(String open, Expr item, String close) {
        Expr more = Expr.star(Expr.seq(WS, Expr.literal(","), WS, item));
        return Expr.seq(Expr.literal(open), WS, Expr.optional(Expr.seq(item, more, WS)), Expr.literal(close));
    }

    /** The rules of "any JSON value" (the {@value #VALUE_RULE} rule and the object/array rules it recurses through). */
    static Map<String, Expr> anyValueRules() {
        Map<String, Expr> rules = new LinkedHashMap<>();
        Expr value = Expr.ref(VALUE_RULE);
        Expr member = Expr.seq(STRING, WS, Expr.literal(":"), WS, value);
        rules.put(VALUE_RULE, Expr.alt(Expr.ref("json_object"), Expr.ref("json_array"), STRING, NUMBER, BOOLEAN, NULL));
        rules.put("json_object", list("{", member, "}"));
        rules.put("json_array", list("[", value, "]"));
        return rules;
    }

    /** {@code response_format: json_object}: any JSON object, nothing around it. */
    public static Grammar anyObject() {
        Map<String, Expr> rules = new LinkedHashMap<>();
        rules.put("root", Expr.ref("json_object"));
        rules.putAll(anyValueRules());
        return new Grammar("root", rules);
    }

    /** {@code text} as the content of a JSON string, escaped the way Jackson writes it (so a literal key or enum string matches its canonical form). */
    static String escape(String text) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\t' -> s.append("\\t");
                case '\b' -> s.append("\\b");
                case '\f' -> s.append("\\f");
                default -> {
                    if (c < 0x20) s.append(String.format("\\u%04X", (int) c));
                    else s.append(c);
                }
            }
        }
        return s.toString();
    }
}
