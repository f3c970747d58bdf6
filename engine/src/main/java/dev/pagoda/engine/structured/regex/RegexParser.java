package dev.pagoda.engine.structured.regex;

import dev.pagoda.engine.structured.grammar.CodepointSet;
import dev.pagoda.engine.structured.grammar.Expr;
import dev.pagoda.engine.structured.grammar.GrammarException;
import java.util.ArrayList;
import java.util.List;

/**
 * The subset of Python {@code re} syntax that structured-output regexes use, parsed into an
 * {@link Expr} over characters: literals and escapes ({@code \n \t \r \f \v \0 \xHH &#92;uHHHH
 * &#92;UHHHHHHHH}, escaped metacharacters), {@code .} (any character but newline), classes
 * {@code [...]} with ranges, negation and the shorthands {@code \d \w \s} (and their negations,
 * ASCII: {@code [0-9]}, {@code [A-Za-z0-9_]}, {@code [ \t\n\r\f\v]}, as xgrammar and JavaScript
 * without the u flag read them, not Python's Unicode classes), groups ({@code (...)},
 * {@code (?:...)}, {@code (?P<name>...)}, {@code (?<name>...)}), alternation, and the quantifiers
 * {@code * + ? {m} {m,} {,n} {m,n}} (lazy forms match the same strings). {@code ^} at the start
 * and {@code $} at the end are noted (JSON Schema's {@code pattern} is a search); the output must
 * match the whole expression anyway. Lookaround, backreferences, word boundaries, possessive
 * quantifiers and inline flags change what a full match means and are refused with the position.
 */
public final class RegexParser {

    /** A parsed expression and whether it was anchored at its start ({@code ^}) and end ({@code $}). */
    public record Regex(Expr body, boolean anchoredStart, boolean anchoredEnd) {}

    /** Largest repetition count accepted in {@code {m,n}}. */
    public static final int MAX_REPEAT = 1000;

    static final CodepointSet DIGIT = CodepointSet.range('0', '9');
    static final CodepointSet WORD = CodepointSet.range('a', 'z').union(CodepointSet.range('A', 'Z')).union(DIGIT).union(CodepointSet.of('_'));
    static final CodepointSet SPACE = CodepointSet.ofChars(" \t\n\r\f\u000B");
    static final CodepointSet NOT_NEWLINE = CodepointSet.of('\n').complement();

    private final String src;
    private int pos;

    private RegexParser(String src) {
        this.src = src;
    }

    public static Regex parse(String pattern) {
        RegexParser p = new RegexParser(pattern);
        boolean start = false, end = false;
        if (p.peekIs('^')) {
            p.pos++;
            start = true;
        }
        Expr body = p.alternation();
        if (p.pos < p.src.length() && p.src.charAt(p.pos) == '$') {
            p.pos++;
            end = true;
        }
        if (p.pos < p.src.length()) throw p.error(p.src.charAt(p.pos) == ')' ? "unbalanced ')'" : "unexpected '" + p.src.charAt(p.pos) + "'");
        return new Regex(body, start, end);
    }

    private GrammarException error(String what) {
        return new GrammarException("regex " + quote(src) + " at position " + pos + ": " + what);
    }

    private static String quote(String s) {
        return "\"" + (s.length() > 80 ? s.substring(0, 80) + "…" : s) + "\"";
    }

    private boolean peekIs(char c) {
        return pos < src.length() && src.charAt(pos) == c;
    }

    private boolean atEnd() {
        return pos >= src.length();
    }

    private Expr alternation() {
        List<Expr> options = new ArrayList<>();
        options.add(concatenation());
        while (peekIs('|')) {
            pos++;
            options.add(concatenation());
        }
        return Expr.alt(options);
    }

    private Expr concatenation() {
        List<Expr> items = new ArrayList<>();
        while (!atEnd() && !peekIs('|') && !peekIs(')')) {
            if (peekIs('$') && pos == src.length() - 1) break; // the end anchor
            items.add(quantified(atom()));
        }
        return Expr.seq(items);
    }

    private Expr quantified(Expr atom) {
        while (!atEnd()) {
            char c = src.charAt(pos);
            int min, max;
            if (c == '*') {
                min = 0;
                max = Expr.UNBOUNDED;
                pos++;
            } else if (c == '+') {
                min = 1;
                max = Expr.UNBOUNDED;
                pos++;
            } else if (c == '?') {
                min = 0;
                max = 1;
                pos++;
            } else if (c == '{' && isCountedRepeat()) {
                pos++;
                min = peekIs(',') ? 0 : number();
                max = min;
                if (peekIs(',')) {
                    pos++;
                    max = peekIs('}') ? Expr.UNBOUNDED : number();
                }
                expect('}');
                if (max != Expr.UNBOUNDED && max < min) throw error("repetition {" + min + "," + max + "} has max below min");
                if (min > MAX_REPEAT || max > MAX_REPEAT) throw error("repetition counts above " + MAX_REPEAT + " are not supported");
            } else {
                return atom;
            }
            if (peekIs('?')) pos++; // lazy: same strings
            else if (peekIs('+')) throw error("possessive quantifiers are not supported");
            atom = Expr.repeat(atom, min, max);
        }
        return atom;
    }

    /** Python reads "{" literally unless it opens a well-formed {m}, {m,}, {,n} or {m,n}. */
    private boolean isCountedRepeat() {
        int i = pos + 1;
        int digits = 0;
        while (i < src.length() && Character.isDigit(src.charAt(i))) {
            i++;
            digits++;
        }
        boolean comma = i < src.length() && src.charAt(i) == ',';
        if (comma) {
            i++;
            while (i < src.length() && Character.isDigit(src.charAt(i))) {
                i++;
                digits++;
            }
        }
        return digits > 0 && i < src.length() && src.charAt(i) == '}';
    }

    private int number() {
        int start = pos;
        while (!atEnd() && Character.isDigit(src.charAt(pos))) pos++;
        if (start == pos) throw error("expected a number");
        try {
            return Integer.parseInt(src.substring(start, pos));
        } catch (NumberFormatException e) {
            throw error("repetition count too large");
        }
    }

    private void expect(char c) {
        if (!peekIs(c)) throw error("expected '" + c + "'");
        pos++;
    }

    private Expr atom() {
        char c = src.charAt(pos);
        switch (c) {
            case '(' -> {
                pos++;
                if (peekIs('?')) groupPrefix();
                Expr inner = alternation();
                expect(')');
                return inner;
            }
            case '[' -> {
                return Expr.chars(charClass());
            }
            case '.' -> {
                pos++;
                return Expr.chars(NOT_NEWLINE);
            }
            case '\\' -> {
                return Expr.chars(escape(false));
            }
            case '*', '+', '?' -> throw error("nothing to repeat");
            case '^' -> throw error("'^' is only supported at the start");
            case '$' -> throw error("'$' is only supported at the end");
            default -> {
                int cp = src.codePointAt(pos);
                pos += Character.charCount(cp);
                return Expr.chars(CodepointSet.of(cp));
            }
        }
    }

    private void groupPrefix() {
        pos++; // '?'
        if (peekIs(':')) {
            pos++;
        } else if (src.startsWith("P<", pos) || (peekIs('<') && !src.startsWith("<=", pos) && !src.startsWith("<!", pos))) {
            int close = src.indexOf('>', pos);
            if (close < 0) throw error("unterminated group name");
            pos = close + 1;
        } else if (src.startsWith("=", pos) || src.startsWith("!", pos) || src.startsWith("<=", pos) || src.startsWith("<!", pos)) {
            throw error("lookaround assertions are not supported");
        } else if (src.startsWith("P=", pos)) {
            throw error("backreferences are not supported");
        } else {
            throw error("inline flags and other (?...) groups are not supported");
        }
    }

    private CodepointSet charClass() {
        pos++; // '['
        boolean negated = peekIs('^');
        if (negated) pos++;
        CodepointSet set = CodepointSet.EMPTY;
        boolean first = true;
        while (true) {
            if (atEnd()) throw error("unterminated character class");
            char c = src.charAt(pos);
            if (c == ']' && !first) {
                pos++;
                break;
            }
            first = false;
            CodepointSet item;
            int lo;
            if (c == '\\') {
                item = escape(true);
                lo = single(item);
            } else {
                lo = src.codePointAt(pos);
                pos += Character.charCount(lo);
                item = CodepointSet.of(lo);
            }
            if (lo >= 0 && peekIs('-') && pos + 1 < src.length() && src.charAt(pos + 1) != ']') {
                pos++;
                int hi;
                if (peekIs('\\')) {
                    hi = single(escape(true));
                    if (hi < 0) throw error("a class shorthand cannot end a range");
                } else {
                    hi = src.codePointAt(pos);
                    pos += Character.charCount(hi);
                }
                if (hi < lo) throw error("bad character range");
                item = CodepointSet.range(lo, hi);
            }
            set = set.union(item);
        }
        return negated ? set.complement() : set;
    }

    /** The one code point of a single-member set, or -1. */
    private static int single(CodepointSet s) {
        int[] r = s.ranges();
        return r.length == 2 && r[0] == r[1] ? r[0] : -1;
    }

    private CodepointSet escape(boolean inClass) {
        pos++; // '\'
        if (atEnd()) throw error("trailing backslash");
        char c = src.charAt(pos++);
        return switch (c) {
            case 'd' -> DIGIT;
            case 'D' -> DIGIT.complement();
            case 'w' -> WORD;
            case 'W' -> WORD.complement();
            case 's' -> SPACE;
            case 'S' -> SPACE.complement();
            case 'n' -> CodepointSet.of('\n');
            case 't' -> CodepointSet.of('\t');
            case 'r' -> CodepointSet.of('\r');
            case 'f' -> CodepointSet.of('\f');
            case 'v' -> CodepointSet.of(0x0B);
            case 'a' -> CodepointSet.of(0x07);
            case '0' -> CodepointSet.of(0);
            case 'x' -> CodepointSet.of(hex(2));
            case 'u' -> CodepointSet.of(hex(4));
            case 'U' -> CodepointSet.of(hex(8));
            case 'b' -> {
                if (inClass) yield CodepointSet.of(0x08);
                throw error("word boundaries (\\b) are not supported");
            }
            case 'B', 'A', 'Z', 'z' -> throw error("the assertion \\" + c + " is not supported");
            default -> {
                if (Character.isDigit(c)) throw error("backreferences are not supported");
                if (Character.isLetter(c)) throw error("unknown escape \\" + c);
                pos--;
                int cp = src.codePointAt(pos);
                pos += Character.charCount(cp);
                yield CodepointSet.of(cp);
            }
        };
    }

    private int hex(int digits) {
        if (pos + digits > src.length()) throw error("truncated hex escape");
        try {
            int v = Integer.parseInt(src.substring(pos, pos + digits), 16);
            pos += digits;
            if (v > CodepointSet.MAX || (v >= 0xD800 && v <= 0xDFFF)) throw error("escape is not a Unicode scalar value");
            return v;
        } catch (NumberFormatException e) {
            throw error("bad hex escape");
        }
    }
}
