package dev.pagoda.engine.structured.cfg;

import dev.pagoda.engine.structured.grammar.CodepointSet;
import dev.pagoda.engine.structured.grammar.Expr;
import dev.pagoda.engine.structured.grammar.Grammar;
import dev.pagoda.engine.structured.grammar.GrammarException;
import dev.pagoda.engine.structured.regex.RegexParser;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Lark's grammar language, read scannerless (as Lark's Earley parser with its dynamic lexer
 * reads it): rules {@code name: ...} (optionally {@code ?name} / {@code !name}, priorities
 * {@code .N} and aliases {@code -> x} ignored), terminals {@code NAME: ...}, {@code "strings"}
 * (with the {@code i} flag), {@code "a".."z"} ranges, {@code /regex/} (the regex subset of
 * {@link RegexParser}, no flags), {@code ( )} groups, {@code [ ]} and {@code ?} optionals,
 * {@code * +} and {@code ~ n} / {@code ~ n..m} repetition, {@code //} comments,
 * {@code %import common.X} (the terminals of {@link LarkCommon}) and {@code %ignore}: ignored
 * terminals may stand between any two symbols of a rule and around the whole output. The output
 * matches rule {@code start}. Templates and {@code %declare} are refused.
 */
public final class LarkParser {

    private final Scanner in;
    private final Map<String, Expr> rules = new LinkedHashMap<>();
    private final Set<String> terminals = new LinkedHashSet<>();
    private final List<Expr> ignored = new ArrayList<>();
    // strings, ranges and regexes inside rules: single terminals, never split by %ignore
    private final Set<Expr> atoms = Collections.newSetFromMap(new IdentityHashMap<>());

    private LarkParser(String text) {
        this.in = new Scanner("Lark", text);
    }

    public static Grammar parse(String text) {
        LarkParser p = new LarkParser(text);
        p.definitions();
        if (!p.rules.containsKey("start")) throw new GrammarException("Lark grammar has no \"start\" rule");
        return p.grammar();
    }

    /** The definitions of a library grammar (no start rule), for %import. */
    static Map<String, Expr> definitions(String text) {
        LarkParser p = new LarkParser(text);
        p.definitions();
        return p.rules;
    }

    private static boolean namePart(int c) {
        return c < 128 && (Character.isLetterOrDigit(c) || c == '_');
    }

    private static boolean isTerminalName(String n) {
        String s = n.startsWith("_") ? n.substring(1) : n;
        return !s.isEmpty() && Character.isUpperCase(s.charAt(0));
    }

    private void skip(boolean newlines) {
        in.skipSpace("//", newlines);
    }

    private void definitions() {
        while (true) {
            skip(true);
            if (in.atEnd()) return;
            if (in.peekIs('%')) {
                directive();
                continue;
            }
            if (in.peekIs('?') || in.peekIs('!')) in.pos++;
            String name = in.name(LarkParser::namePart);
            if (name.isEmpty()) throw in.error("expected a rule or terminal name");
            if (in.peekIs('{')) throw in.error("templates (" + name + "{...}) are not supported");
            if (in.peekIs('.')) { // priority
                in.pos++;
                if (in.peekIs('-')) in.pos++;
                in.number();
            }
            skip(false);
            in.expect(":");
            skip(false);
            Expr body = alternatives(0);
            boolean terminal = isTerminalName(name);
            if (terminal) terminals.add(name);
            if (rules.containsKey(name)) throw in.error("\"" + name + "\" is defined twice");
            rules.put(name, body);
            endOfDefinition();
        }
    }

    private void endOfDefinition() {
        skip(false);
        if (!in.atEnd() && in.peek() != '\n') throw in.error("unexpected '" + in.peek() + "'");
    }

    private void directive() {
        in.pos++;
        String d = in.name(LarkParser::namePart);
        skip(false);
        switch (d) {
            case "import" -> importDirective();
            case "ignore" -> {
                ignored.add(alternatives(0));
                endOfDefinition();
            }
            default -> throw in.error("%" + d + " is not supported");
        }
    }

    private void importDirective() {
        String module = in.name(c -> namePart(c) || c == '.');
        if (module.startsWith("common.") || module.equals("common")) {
            List<String> names = new ArrayList<>();
            List<String> aliases = new ArrayList<>();
            if (module.equals("common")) {
                skip(false);
                in.expect("(");
                while (true) {
                    skip(true);
                    names.add(in.name(LarkParser::namePart));
                    aliases.add(names.getLast());
                    skip(true);
                    if (in.peekIs(',')) {
                        in.pos++;
                        continue;
                    }
                    in.expect(")");
                    break;
                }
            } else {
                names.add(module.substring("common.".length()));
                skip(false);
                if (in.startsWith("->")) {
                    in.pos += 2;
                    skip(false);
                    aliases.add(in.name(LarkParser::namePart));
                } else {
                    aliases.add(names.getFirst());
                }
            }
            for (int i = 0; i < names.size(); i++) importCommon(names.get(i), aliases.get(i));
            endOfDefinition();
            return;
        }
        throw in.error("%import " + module + ": only the common library is available");
    }

    /**
     * Defines {@code alias} as common's {@code name}; the common terminals it uses come along as
     * {@code common__X}, so they never clash with the grammar's own names (Lark namespaces them too).
     */
    private void importCommon(String name, String alias) {
        Map<String, Expr> common = LarkCommon.definitions();
        if (!common.containsKey(name)) throw in.error("common." + name + " is not a terminal of the common library");
        if (rules.containsKey(alias)) throw in.error("\"" + alias + "\" is defined twice");
        rules.put(alias, namespaced(common.get(name)));
        terminals.add(alias);
        for (Map.Entry<String, Expr> e : common.entrySet()) {
            String key = "common__" + e.getKey();
            if (!rules.containsKey(key)) {
                rules.put(key, namespaced(e.getValue()));
                terminals.add(key);
            }
        }
    }

    private static Expr namespaced(Expr e) {
        return switch (e) {
            case Expr.Ref r -> Expr.ref("common__" + r.rule());
            case Expr.Seq s -> Expr.seq(s.items().stream().map(LarkParser::namespaced).toList());
            case Expr.Alt a -> Expr.alt(a.options().stream().map(LarkParser::namespaced).toList());
            case Expr.Repeat r -> new Expr.Repeat(namespaced(r.item()), r.min(), r.max());
            default -> e;
        };
    }

    private Expr alternatives(int depth) {
        List<Expr> options = new ArrayList<>();
        options.add(alias(depth));
        while (true) {
            int save = in.pos;
            skip(depth > 0);
            if (!in.peekIs('|')) {
                if (depth == 0) {
                    skip(true); // an alternative may continue on the next line, starting with '|'
                    if (in.peekIs('|')) {
                        in.pos++;
                        skip(true);
                        options.add(alias(depth));
                        continue;
                    }
                }
                in.pos = save;
                break;
            }
            in.pos++;
            skip(true);
            options.add(alias(depth));
        }
        return Expr.alt(options);
    }

    /** An expansion, with a {@code -> alias} after it ignored. */
    private Expr alias(int depth) {
        Expr e = expansion(depth);
        skip(depth > 0);
        if (in.startsWith("->")) {
            in.pos += 2;
            skip(false);
            in.name(LarkParser::namePart);
        }
        return e;
    }

    private Expr expansion(int depth) {
        List<Expr> items = new ArrayList<>();
        while (true) {
            skip(depth > 0);
            if (in.atEnd()) break;
            char c = in.peek();
            if (c == '|' || c == ')' || c == ']' || c == '\n' || in.startsWith("->")) break;
            items.add(quantified(atom(depth), depth));
        }
        return Expr.seq(items);
    }

    private Expr atom(int depth) {
        char c = in.peek();
        switch (c) {
            case '(' -> {
                in.pos++;
                skip(true);
                Expr inner = alternatives(depth + 1);
                skip(true);
                in.expect(")");
                return inner;
            }
            case '[' -> {
                in.pos++;
                skip(true);
                Expr inner = alternatives(depth + 1);
                skip(true);
                in.expect("]");
                return Expr.optional(inner);
            }
            case '"', '\'' -> {
                int[] text = in.quoted();
                if (in.startsWith("..")) {
                    in.pos += 2;
                    skip(false);
                    if (!in.peekIs('"') && !in.peekIs('\'')) throw in.error("expected a string after '..'");
                    int[] to = in.quoted();
                    if (text.length != 1 || to.length != 1) throw in.error("a range \"a\"..\"z\" needs single characters");
                    if (to[0] < text[0]) throw in.error("character range out of order");
                    return atom(Expr.chars(CodepointSet.range(text[0], to[0])));
                }
                boolean caseless = in.peekIs('i') && !(in.pos + 1 < in.src.length() && namePart(in.src.charAt(in.pos + 1)));
                if (caseless) in.pos++;
                List<Expr> chars = new ArrayList<>();
                for (int cp : text) {
                    int lo = Character.toLowerCase(cp), up = Character.toUpperCase(cp);
                    chars.add(caseless && lo != up ? Expr.chars(CodepointSet.of(lo).union(CodepointSet.of(up))) : Expr.chars(CodepointSet.of(cp)));
                }
                return atom(Expr.seq(chars));
            }
            case '/' -> {
                return atom(regex());
            }
            default -> {
                String name = in.name(LarkParser::namePart);
                if (name.isEmpty()) throw in.error("unexpected '" + c + "'");
                if (in.peekIs('{')) throw in.error("templates (" + name + "{...}) are not supported");
                return Expr.ref(name);
            }
        }
    }

    /** A terminal inside a rule, wrapped so that a surrounding sequence does not splice it (and %ignore does not split it). */
    private Expr atom(Expr e) {
        Expr wrapped = Expr.repeat(e, 1, 1);
        atoms.add(wrapped);
        return wrapped;
    }

    private Expr regex() {
        in.pos++;
        StringBuilder body = new StringBuilder();
        while (true) {
            if (in.atEnd() || in.peek() == '\n') throw in.error("unterminated regular expression");
            char c = in.peek();
            if (c == '/') {
                in.pos++;
                break;
            }
            if (c == '\\' && in.pos + 1 < in.src.length()) {
                char n = in.src.charAt(in.pos + 1);
                if (n == '/') {
                    body.append('/');
                } else {
                    body.append(c).append(n);
                }
                in.pos += 2;
                continue;
            }
            body.append(c);
            in.pos++;
        }
        String flags = in.name(ch -> Character.isLetter(ch));
        if (!flags.isEmpty()) throw in.error("regular expression flags (" + flags + ") are not supported");
        try {
            return RegexParser.parse(body.toString()).body();
        } catch (GrammarException e) {
            throw in.error(e.getMessage());
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
            } else {
                int save = in.pos;
                skip(false);
                if (!in.peekIs('~')) {
                    in.pos = save;
                    return e;
                }
                in.pos++;
                skip(false);
                int min = in.number();
                int max = min;
                if (in.startsWith("..")) {
                    in.pos += 2;
                    max = in.number();
                }
                if (max < min) throw in.error("repetition ~ " + min + ".." + max + " has max below min");
                if (max > GbnfParser.MAX_REPEAT) throw in.error("repetition counts above " + GbnfParser.MAX_REPEAT + " are not supported");
                e = Expr.repeat(e, min, max);
            }
        }
        return e;
    }

    /** The rules with ignored terminals woven into every rule (not terminal) body, and around the start rule. */
    private Grammar grammar() {
        if (ignored.isEmpty()) return new Grammar("start", rules);
        Expr ignore = Expr.star(Expr.alt(ignored));
        Map<String, Expr> out = new LinkedHashMap<>();
        for (Map.Entry<String, Expr> r : rules.entrySet()) {
            Expr body = terminals.contains(r.getKey()) ? r.getValue() : weave(r.getValue(), ignore);
            out.put(r.getKey(), body);
        }
        out.put("start", Expr.seq(ignore, out.get("start"), ignore));
        return new Grammar("start", out);
    }

    /** {@code e} with {@code ignore} between any two adjacent symbols. */
    private Expr weave(Expr e, Expr ignore) {
        if (atoms.contains(e)) return e;
        return switch (e) {
            case Expr.Seq s -> {
                List<Expr> items = new ArrayList<>();
                for (Expr i : s.items()) {
                    if (!items.isEmpty()) items.add(ignore);
                    items.add(weave(i, ignore));
                }
                yield Expr.seq(items);
            }
            case Expr.Alt a -> Expr.alt(a.options().stream().map(o -> weave(o, ignore)).toList());
            case Expr.Repeat r -> {
                Expr item = weave(r.item(), ignore);
                if (r.max() == 0) yield Expr.EMPTY;
                Expr more = new Expr.Repeat(Expr.seq(ignore, item), Math.max(0, r.min() - 1), r.max() == Expr.UNBOUNDED ? Expr.UNBOUNDED : r.max() - 1);
                Expr some = Expr.seq(item, more);
                yield r.min() == 0 ? Expr.optional(some) : some;
            }
            default -> e;
        };
    }
}
