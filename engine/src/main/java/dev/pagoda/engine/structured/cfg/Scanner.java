package dev.pagoda.engine.structured.cfg;

import dev.pagoda.engine.structured.grammar.CodepointSet;
import dev.pagoda.engine.structured.grammar.GrammarException;

/**
 * Position-keeping reading of grammar text shared by the GBNF and Lark parsers: white space and
 * comments, names, quoted literals and bracket classes with their escapes ({@code \n \r \t \\
 * \" \' \[ \] \- \/ \^ \xHH} and the 4- and 8-digit Unicode escapes). Errors name the line and
 * column.
 */
final class Scanner {

    private final String format;
    final String src;
    int pos;

    Scanner(String format, String src) {
        this.format = format;
        this.src = src;
    }

    boolean atEnd() {
        return pos >= src.length();
    }

    char peek() {
        return src.charAt(pos);
    }

    boolean peekIs(char c) {
        return pos < src.length() && src.charAt(pos) == c;
    }

    boolean startsWith(String s) {
        return src.startsWith(s, pos);
    }

    GrammarException error(String what) {
        int line = 1, col = 1;
        for (int i = 0; i < Math.min(pos, src.length()); i++) {
            if (src.charAt(i) == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        return new GrammarException(format + " grammar, line " + line + ", column " + col + ": " + what);
    }

    void expect(String s) {
        if (!startsWith(s)) throw error("expected '" + s + "'");
        pos += s.length();
    }

    /**
     * Skips spaces, tabs, carriage returns and comments (from {@code comment} to the end of the
     * line); newlines too when {@code newlines}.
     */
    void skipSpace(String comment, boolean newlines) {
        while (!atEnd()) {
            char c = peek();
            if (c == ' ' || c == '\t' || c == '\r' || (newlines && c == '\n')) {
                pos++;
            } else if (startsWith(comment)) {
                while (!atEnd() && peek() != '\n') pos++;
            } else {
                break;
            }
        }
    }

    /** A run of characters for which {@code part} holds; empty if none. */
    String name(java.util.function.IntPredicate part) {
        int start = pos;
        while (!atEnd() && part.test(peek())) pos++;
        return src.substring(start, pos);
    }

    /** The code points of a quoted literal; the opening quote is at {@code pos}. */
    int[] quoted() {
        char quote = peek();
        pos++;
        StringBuilder out = new StringBuilder();
        while (true) {
            if (atEnd() || peek() == '\n') throw error("unterminated string literal");
            char c = peek();
            if (c == quote) {
                pos++;
                break;
            }
            out.appendCodePoint(c == '\\' ? escape() : readCodePoint());
        }
        return out.codePoints().toArray();
    }

    private int readCodePoint() {
        int cp = src.codePointAt(pos);
        pos += Character.charCount(cp);
        return cp;
    }

    /** One escape; {@code pos} is at the backslash. */
    int escape() {
        pos++;
        if (atEnd()) throw error("trailing backslash");
        char c = peek();
        pos++;
        return switch (c) {
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case 'f' -> '\f';
            case 'v' -> 0x0B;
            case '0' -> 0;
            case '\\', '"', '\'', '[', ']', '-', '/', '^', '.', '|', '(', ')', '{', '}', '*', '+', '?', ' ' -> c;
            case 'x' -> hex(2);
            case 'u' -> hex(4);
            case 'U' -> hex(8);
            default -> throw error("unknown escape \\" + c);
        };
    }

    private int hex(int digits) {
        if (pos + digits > src.length()) throw error("truncated escape");
        try {
            int v = Integer.parseInt(src.substring(pos, pos + digits), 16);
            pos += digits;
            if (v > CodepointSet.MAX) throw error("escape beyond U+10FFFF");
            return v;
        } catch (NumberFormatException e) {
            throw error("bad hexadecimal escape");
        }
    }

    /** A {@code [...]} class; {@code pos} is at the '['. */
    CodepointSet bracketClass() {
        pos++;
        boolean negated = peekIs('^');
        if (negated) pos++;
        CodepointSet set = CodepointSet.EMPTY;
        while (true) {
            if (atEnd()) throw error("unterminated character class");
            if (peek() == ']') {
                pos++;
                break;
            }
            int lo = peek() == '\\' ? escape() : readCodePoint();
            int hi = lo;
            if (peekIs('-') && pos + 1 < src.length() && src.charAt(pos + 1) != ']') {
                pos++;
                hi = peek() == '\\' ? escape() : readCodePoint();
                if (hi < lo) throw error("character range out of order");
            }
            set = set.union(CodepointSet.range(lo, hi));
        }
        return negated ? set.complement() : set;
    }

    /** A non-negative integer. */
    int number() {
        int start = pos;
        while (!atEnd() && Character.isDigit(peek())) pos++;
        if (start == pos) throw error("expected a number");
        try {
            return Integer.parseInt(src.substring(start, pos));
        } catch (NumberFormatException e) {
            throw error("number too large");
        }
    }
}
