package dev.pagoda.engine.structured.automaton;

import dev.pagoda.engine.structured.grammar.Expr;
import dev.pagoda.engine.structured.grammar.GrammarException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Left recursion, which the matcher's eager expansion of calls cannot run: a rule that can call
 * itself before reading a byte would push forever. Direct left recursion in the usual form,
 * {@code R: R a | R b | c | d}, is rewritten as the equal language {@code R: (c | d) (a | b)*};
 * any other form (through another rule, or behind something that can match nothing) is refused
 * with the rules named.
 */
final class LeftRecursion {

    private LeftRecursion() {}

    /** Strings of the body are {@code R·tails ∪ bases}. */
    private record Split(List<Expr> tails, List<Expr> bases) {}

    static Expr eliminate(String rule, Expr body) {
        Split split = split(rule, body);
        if (split.tails().isEmpty()) return body;
        if (split.bases().isEmpty()) {
            throw new GrammarException("rule \"" + rule + "\" is left-recursive with no alternative that starts otherwise; it matches nothing");
        }
        return Expr.seq(Expr.alt(split.bases()), Expr.star(Expr.alt(split.tails())));
    }

    private static Split split(String rule, Expr e) {
        switch (e) {
            case Expr.Ref r when r.rule().equals(rule) -> {
                return new Split(List.of(Expr.EMPTY), List.of());
            }
            case Expr.Alt a -> {
                List<Expr> tails = new ArrayList<>(), bases = new ArrayList<>();
                for (Expr o : a.options()) {
                    Split s = split(rule, o);
                    tails.addAll(s.tails());
                    bases.addAll(s.bases());
                }
                return new Split(tails, bases);
            }
            case Expr.Seq s when !s.items().isEmpty() -> {
                Split first = split(rule, s.items().getFirst());
                if (first.tails().isEmpty()) return new Split(List.of(), List.of(e));
                Expr rest = Expr.seq(s.items().subList(1, s.items().size()));
                List<Expr> tails = new ArrayList<>();
                for (Expr t : first.tails()) tails.add(Expr.seq(t, rest));
                List<Expr> bases = first.bases().isEmpty() ? List.of() : List.of(Expr.seq(Expr.alt(first.bases()), rest));
                return new Split(tails, bases);
            }
            default -> {
                return new Split(List.of(), List.of(e));
            }
        }
    }

    /** Refuses the grammar if some rule can still reach itself before reading a byte. */
    static void check(Map<String, Expr> rules) {
        Map<String, Boolean> nullable = nullableRules(rules);
        Map<String, Set<String>> left = new HashMap<>();
        for (Map.Entry<String, Expr> r : rules.entrySet()) {
            Set<String> out = new LinkedHashSet<>();
            leftCalls(r.getValue(), nullable, out);
            left.put(r.getKey(), out);
        }
        for (String start : rules.keySet()) {
            List<String> path = cycleFrom(start, left);
            if (path != null) {
                throw new GrammarException("left recursion " + String.join(" -> ", path) + " is not supported; only the direct form "
                        + "R: R x | y is rewritten (write it as a repetition, e.g. R: y x*)");
            }
        }
    }

    private static List<String> cycleFrom(String start, Map<String, Set<String>> left) {
        // depth-first search for a path start -> ... -> start
        List<String> path = new ArrayList<>(List.of(start));
        Set<String> seen = new LinkedHashSet<>();
        return dfs(start, start, left, path, seen) ? path : null;
    }

    private static boolean dfs(String start, String at, Map<String, Set<String>> left, List<String> path, Set<String> seen) {
        for (String next : left.getOrDefault(at, Set.of())) {
            if (next.equals(start)) {
                path.add(next);
                return true;
            }
            if (!seen.add(next)) continue;
            path.add(next);
            if (dfs(start, next, left, path, seen)) return true;
            path.removeLast();
        }
        return false;
    }

    static Map<String, Boolean> nullableRules(Map<String, Expr> rules) {
        Map<String, Boolean> nullable = new HashMap<>();
        for (String r : rules.keySet()) nullable.put(r, false);
        for (boolean changed = true; changed; ) {
            changed = false;
            for (Map.Entry<String, Expr> r : rules.entrySet()) {
                if (!nullable.get(r.getKey()) && nullable(r.getValue(), nullable)) {
                    nullable.put(r.getKey(), true);
                    changed = true;
                }
            }
        }
        return nullable;
    }

    static boolean nullable(Expr e, Map<String, Boolean> rules) {
        return switch (e) {
            case Expr.Ref r -> rules.getOrDefault(r.rule(), false);
            case Expr.Seq s -> s.items().stream().allMatch(i -> nullable(i, rules));
            case Expr.Alt a -> a.options().stream().anyMatch(o -> nullable(o, rules));
            case Expr.Repeat r -> r.min() == 0 || nullable(r.item(), rules);
            case Expr.Literal l -> l.bytes().length == 0;
            case Expr.Minus m -> nullable(m.expr(), rules) && !nullable(m.excluded(), rules);
            case Expr.Bytes b -> false;
            case Expr.Chars c -> false;
        };
    }

    /** Rules {@code e} may call before it has read a byte. */
    private static void leftCalls(Expr e, Map<String, Boolean> nullable, Set<String> out) {
        switch (e) {
            case Expr.Ref r -> out.add(r.rule());
            case Expr.Seq s -> {
                for (Expr i : s.items()) {
                    leftCalls(i, nullable, out);
                    if (!nullable(i, nullable)) break;
                }
            }
            case Expr.Alt a -> a.options().forEach(o -> leftCalls(o, nullable, out));
            case Expr.Repeat r -> {
                if (r.max() != 0) leftCalls(r.item(), nullable, out);
            }
            case Expr.Minus m -> { }
            case Expr.Bytes b -> { }
            case Expr.Chars c -> { }
            case Expr.Literal l -> { }
        }
    }
}
