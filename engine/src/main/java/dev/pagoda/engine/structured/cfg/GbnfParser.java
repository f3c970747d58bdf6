package dev.pagoda.engine.structured.cfg;

import dev.pagoda.engine.structured.grammar.CodepointSet;
import dev.pagoda.engine.structured.grammar.Expr;
import dev.pagoda.engine.structured.grammar.Grammar;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * llama.cpp's GBNF: {@code name ::= alternatives} rules (names of letters, digits and dashes),
 * {@code "literals"}, {@code [classes]} with ranges and {@code ^}, {@code .} (any character),
 * groups, {@code * + ?} and {@code {m} {m,} {m,n} {,n}} repetition, {@code #} comments. A rule
 * ends at a newline outside parentheses unless the line ends with {@code |} or the next line
 * starts with it. The output matches rule {@code root}.
 */
public final class GbnfParser {

    /** Largest repetition count in {@code {m,n}}. */
    public static final int MAX_REPEAT = 10_000;

    private final Scanner in;
    private final Map<String, Expr> rules = new LinkedHashMap<>();

    private GbnfParser(String text) {
        this.in = new Scanner("GBNF", text);
    }

    public static Grammar parse(String text) {
        GbnfParser p = new GbnfParser(text);
        p.rules();
        if (!p.rules.containsKey("root")) throw new dev.pagoda.engine.structured.grammar.GrammarException("GBNF grammar has no \"root\" rule");
        return new Grammar("root", p.rules);
    }

    private static boolean namePart(int c) {
        return Character.isLetterOrDigit(c) && c < 128 || c == '-' || c == '_';
    }

    private void rules() {
        while (true) {
            in.skipSpace("#", true);
            if (in.atEnd()) return;
            String name = in.name(GbnfParser::namePart);
            if (name.isEmpty()) throw in.error("expected a rule name");
            in.skipSpace("#", false);
            in.expect("::=");
            in.skipSpace("#", true);
            Expr body = alternatives(0);
            if (rules.containsKey(name)) throw in.error("rule \"" + name + "\" is defined twice");
            rules.put(name, body);
            in.skipSpace("#", false);
            if (!in.atEnd() && in.peek() != '\n') throw in.error("unexpected '" + in.peek() + "'");
        }
    }

    private Expr alternatives(int depth) {
        List<Expr> options = new ArrayList<>();
        options.add(sequence(depth));
        while (true) {
            int save = in.pos;
            in.skipSpace("#", depth > 0);
            if (!in.peekIs('|') && depth == 0) {
                // a continuation line may start with '|'
                in.skipSpace("#", true);
                if (!in.peekIs('|')) {
                    in.pos = save;
                    break;
                }
            }
            if (!in.peekIs('|')) {
                in.pos = save;
                break;
            }
            in.pos++;
            in.skipSpace("#", true);
            options.add(sequence(depth));
        }
        return Expr.alt(options);
    }

    private Expr sequence(int depth) {
        List<Expr> items = new ArrayList<>();
        while (true) {
            in.skipSpace("#", depth > 0);
            if (in.atEnd()) break;
            char c = in.peek();
            if (c == '|' || c == ')' || c == '\n') break;
            if (c != '"' && c != '[' && c != '.' && c != '(' && !namePart(c)) throw in.error("unexpected '" + c + "'");
            if (namePart(c) && isRuleStart()) break;
            items.add(quantified(term(depth), depth));
        }
        return Expr.seq(items);
    }

    /** Whether a name at the cursor begins a new rule ({@code name ::=}). */
    private boolean isRuleStart() {
        int save = in.pos;
        in.name(GbnfParser::namePart);
        in.skipSpace("#", false);
        boolean rule = in.startsWith("::=");
        in.pos = save;
        return rule;
    }

    private Expr term(int depth) {
        char c = in.peek();
        switch (c) {
            case '"' -> {
                StringBuilder s = new StringBuilder();
                for (int cp : in.quoted()) s.appendCodePoint(cp);
                return Expr.literal(s.toString());
            }
            case '[' -> {
                return Expr.chars(in.bracketClass());
            }
            case '.' -> {
                in.pos++;
                return Expr.chars(CodepointSet.ALL);
            }
            case '(' -> {
                in.pos++;
                in.skipSpace("#", true);
                Expr inner = alternatives(depth + 1);
                in.skipSpace("#", true);
                in.expect(")");
                return inner;
            }
            default -> {
                return Expr.ref(in.name(GbnfParser::namePart));
            }
        }
    }

    private Expr quantified(Expr e, int depth) {
        while (!in.atEnd()) {
            char c = in.peek();
            if (c == '*') {
                in.pos++;
                e = Expr.star(e);
            } else if (c == '+') {
                in.pos++;
                e = Expr.plus(e);
            } else if (c == '?') {
                in.pos++;
                e = Expr.optional(e);
            } else if (c == '{') {
                in.pos++;
                in.skipSpace("#", false);
                int min = in.peekIs(',') ? 0 : in.number();
                int max = min;
                in.skipSpace("#", false);
                if (in.peekIs(',')) {
                    in.pos++;
                    in.skipSpace("#", false);
                    max = in.peekIs('}') ? Expr.UNBOUNDED : in.number();
                }
                in.skipSpace("#", false);
                in.expect("}");
                if (max != Expr.UNBOUNDED && max < min) throw in.error("repetition {" + min + "," + max + "} has max below min");
                if (min > MAX_REPEAT || max > MAX_REPEAT) throw in.error("repetition counts above " + MAX_REPEAT + " are not supported");
                e = Expr.repeat(e, min, max);
            } else {
                return e;
            }
        }
        return e;
    }
}
