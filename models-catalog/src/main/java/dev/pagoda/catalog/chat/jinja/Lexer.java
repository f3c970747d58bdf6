package dev.pagoda.catalog.chat.jinja;

import dev.pagoda.catalog.chat.jinja.Token.Type;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a preprocessed template into tokens. Whitespace control follows {@code @huggingface/jinja}
 * step for step: {@code {%-}, {@code {{-}, {@code {#-} trim the end of the text before them;
 * {@code -%}}, {@code -}}}, {@code -#}} skip the whitespace after them.
 */
final class Lexer {

    private record Operator(String text, Type type) {}

    // Longer sequences first so "**" wins over "*", "//" over "/", "<=" over "<".
    private static final List<Operator> OPERATORS = List.of(
            new Operator("{%", Type.OPEN_STATEMENT), new Operator("%}", Type.CLOSE_STATEMENT),
            new Operator("{{", Type.OPEN_EXPRESSION), new Operator("}}", Type.CLOSE_EXPRESSION),
            new Operator("(", Type.OPEN_PAREN), new Operator(")", Type.CLOSE_PAREN),
            new Operator("{", Type.OPEN_BRACE), new Operator("}", Type.CLOSE_BRACE),
            new Operator("[", Type.OPEN_BRACKET), new Operator("]", Type.CLOSE_BRACKET),
            new Operator(",", Type.COMMA), new Operator(".", Type.DOT), new Operator(":", Type.COLON), new Operator("|", Type.PIPE),
            new Operator("<=", Type.COMPARISON), new Operator(">=", Type.COMPARISON), new Operator("==", Type.COMPARISON),
            new Operator("!=", Type.COMPARISON), new Operator("<", Type.COMPARISON), new Operator(">", Type.COMPARISON),
            new Operator("+", Type.ADDITIVE), new Operator("-", Type.ADDITIVE), new Operator("~", Type.ADDITIVE),
            new Operator("**", Type.POWER), new Operator("*", Type.MULTIPLICATIVE), new Operator("//", Type.MULTIPLICATIVE),
            new Operator("/", Type.MULTIPLICATIVE), new Operator("%", Type.MULTIPLICATIVE), new Operator("=", Type.EQUALS));

    private final SourceText source;
    private final String src;
    private final List<Token> tokens = new ArrayList<>();
    private int pos;
    private int braceDepth;

    private Lexer(SourceText source) {
        this.source = source;
        this.src = source.text();
    }

    static List<Token> tokenize(SourceText source) {
        var lexer = new Lexer(source);
        lexer.run();
        lexer.tokens.add(new Token(Type.END, "", lexer.src.length()));
        return lexer.tokens;
    }

    private Type lastType() {
        return tokens.isEmpty() ? null : tokens.getLast().type();
    }

    private void run() {
        while (pos < src.length()) {
            Type last = lastType();
            if (last == null || last == Type.CLOSE_STATEMENT || last == Type.CLOSE_EXPRESSION || last == Type.COMMENT) {
                int start = pos;
                while (pos < src.length() && !atTagStart()) pos++;
                if (pos > start) {
                    tokens.add(new Token(Type.TEXT, src.substring(start, pos), start));
                    continue;
                }
            }
            if (startsWith("{#")) {
                comment();
                continue;
            }
            if (startsWith("{%-") || startsWith("{{-")) {
                stripTrailingWhitespace();
                boolean statement = src.charAt(pos + 1) == '%';
                tokens.add(new Token(statement ? Type.OPEN_STATEMENT : Type.OPEN_EXPRESSION, statement ? "{%" : "{{", pos));
                if (!statement) braceDepth = 0;
                pos += 3;
                continue;
            }
            while (pos < src.length() && Text.isWhitespace(src.charAt(pos))) pos++;
            if (pos >= src.length()) throw source.error(pos, "unexpected end of template inside a tag");
            if (startsWith("-%}") || startsWith("-}}")) {
                boolean statement = src.charAt(pos + 1) == '%';
                tokens.add(new Token(statement ? Type.CLOSE_STATEMENT : Type.CLOSE_EXPRESSION, statement ? "%}" : "}}", pos));
                pos += 3;
                while (pos < src.length() && Text.isWhitespace(src.charAt(pos))) pos++;
                continue;
            }
            char c = src.charAt(pos);
            if ((c == '-' || c == '+') && signedNumberOrUnary(c)) continue;
            if (operator()) continue;
            if (c == '\'' || c == '"') {
                string(c);
                continue;
            }
            if (isDigit(c)) {
                int start = pos;
                while (pos < src.length() && isDigit(src.charAt(pos))) pos++;
                if (lastType() != Type.DOT && fractionFollows()) {
                    pos++;
                    while (pos < src.length() && isDigit(src.charAt(pos))) pos++;
                }
                tokens.add(new Token(Type.NUMBER, src.substring(start, pos), start));
                continue;
            }
            if (isWordChar(c)) {
                int start = pos;
                while (pos < src.length() && isWordChar(src.charAt(pos))) pos++;
                tokens.add(new Token(Type.IDENTIFIER, src.substring(start, pos), start));
                continue;
            }
            throw source.error(pos, "unexpected character '" + c + "'");
        }
    }

    private boolean atTagStart() {
        if (src.charAt(pos) != '{' || pos + 1 >= src.length()) return false;
        char n = src.charAt(pos + 1);
        return n == '%' || n == '{' || n == '#';
    }

    private boolean startsWith(String s) {
        return src.startsWith(s, pos);
    }

    private boolean fractionFollows() {
        return pos + 1 < src.length() && src.charAt(pos) == '.' && isDigit(src.charAt(pos + 1));
    }

    private void comment() {
        int start = pos;
        pos += 2;
        boolean stripBefore = pos < src.length() && src.charAt(pos) == '-';
        if (stripBefore) pos++;
        int end = src.indexOf("#}", pos);
        if (end < 0) throw source.error(start, "comment is not closed with '#}'");
        String body = src.substring(pos, end);
        boolean stripAfter = body.endsWith("-");
        if (stripBefore) stripTrailingWhitespace();
        tokens.add(new Token(Type.COMMENT, body, start));
        pos = end + 2;
        if (stripAfter) {
            while (pos < src.length() && Text.isWhitespace(src.charAt(pos))) pos++;
        }
    }

    private void stripTrailingWhitespace() {
        if (!tokens.isEmpty() && tokens.getLast().type() == Type.TEXT) {
            Token t = tokens.removeLast();
            String trimmed = Text.stripEnd(t.text());
            if (!trimmed.isEmpty()) tokens.add(new Token(Type.TEXT, trimmed, t.offset()));
        }
    }

    /**
     * A sign right after an operator or opening token belongs to the operand: a signed number
     * ({@code -1}) or a unary sign ({@code -x}). After an operand it is the binary operator.
     */
    private boolean signedNumberOrUnary(char sign) {
        Type last = lastType();
        if (last == null || last == Type.TEXT) throw source.error(pos, "unexpected character '" + sign + "'");
        switch (last) {
            case IDENTIFIER, NUMBER, STRING, CLOSE_PAREN, CLOSE_BRACKET -> {
                return false;
            }
            default -> {
                int start = pos++;
                int digits = pos;
                while (pos < src.length() && isDigit(src.charAt(pos))) pos++;
                if (pos > digits && fractionFollows()) {
                    pos++;
                    while (pos < src.length() && isDigit(src.charAt(pos))) pos++;
                }
                boolean number = pos > digits;
                tokens.add(new Token(number ? Type.NUMBER : Type.UNARY, src.substring(start, pos), start));
                return true;
            }
        }
    }

    private boolean operator() {
        for (Operator op : OPERATORS) {
            // Inside a dict literal "}}" closes two dicts, not the expression.
            if (op.type() == Type.CLOSE_EXPRESSION && braceDepth > 0) continue;
            if (!startsWith(op.text())) continue;
            Type type = op.type();
            tokens.add(new Token(type, op.text(), pos));
            switch (type) {
                case OPEN_EXPRESSION -> braceDepth = 0;
                case OPEN_BRACE -> braceDepth++;
                case CLOSE_BRACE -> braceDepth--;
                default -> { }
            }
            pos += op.text().length();
            return true;
        }
        return false;
    }

    private void string(char quote) {
        int start = pos++;
        var sb = new StringBuilder();
        while (true) {
            if (pos >= src.length()) throw source.error(start, "string literal is not closed");
            char c = src.charAt(pos);
            if (c == quote) break;
            if (c != '\\') {
                sb.append(c);
                pos++;
                continue;
            }
            if (pos + 1 >= src.length()) throw source.error(start, "string literal is not closed");
            char e = src.charAt(pos + 1);
            pos += 2;
            switch (e) {
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'r' -> sb.append('\r');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'v' -> sb.append('\u000b');
                case '\'', '"', '\\' -> sb.append(e);
                case 'x', 'u' -> {
                    int len = e == 'x' ? 2 : 4;
                    String hex = pos + len <= src.length() ? src.substring(pos, pos + len) : "";
                    if (hex.length() != len || !hex.chars().allMatch(h -> Character.digit(h, 16) >= 0)) {
                        throw source.error(pos - 2, "invalid escape sequence \\" + e + hex);
                    }
                    sb.append((char) Integer.parseInt(hex, 16));
                    pos += len;
                }
                // Python keeps an unknown escape as written (a backslash and the character).
                default -> sb.append('\\').append(e);
            }
        }
        pos++;
        tokens.add(new Token(Type.STRING, sb.toString(), start));
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isWordChar(char c) {
        return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }
}
