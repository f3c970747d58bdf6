package dev.pagoda.engine.structured.automaton;

import dev.pagoda.engine.structured.grammar.Expr;
import dev.pagoda.engine.structured.grammar.Grammar;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which rules stay rules (pushdown calls) and which are pasted into their callers. A rule that
 * is not recursive is inlined: its states then belong to the caller's automaton, so a token that
 * crosses its end is still judged without the stack (context-independent). Recursive rules must
 * stay; among them, one referenced from a single place is inlined there (JSON's object and array
 * into value), so only the rules that really recurse remain. Direct left recursion
 * ({@code expr: expr "+" term | term}) is rewritten as {@code expr: term ("+" term)*}; any other
 * left recursion is refused, since the matcher expands calls eagerly.
 */
final class RuleInliner {

    /**
     * A non-recursive rule whose copies would weigh more than this (expression weight × the
     * copies its references make, a bounded repetition {@code {m,n}} making n) stays a rule: an
     * item under {@code maxItems: 20} is then one automaton, not twenty.
     */
    private static final long COPY_BUDGET = 4_000;

    private final Grammar grammar;
    private final Map<String, Expr> bodies = new LinkedHashMap<>();
    private final Set<String> kept = new LinkedHashSet<>();
    private final Map<String, Expr> inlined = new HashMap<>();

    private RuleInliner(Grammar grammar) {
        this.grammar = grammar;
    }

    /** The kept rules, root first, with bodies that refer only to kept rules. */
    static LinkedHashMap<String, Expr> keptRules(Grammar grammar) {
        return new RuleInliner(grammar).run();
    }

    private LinkedHashMap<String, Expr> run() {
        List<String> reachable = reachable();
        Map<String, Set<String>> calls = new HashMap<>();
        Map<String, Long> copies = new HashMap<>();
        for (String r : reachable) {
            List<String> refs = new ArrayList<>();
            collectRefs(grammar.rules().get(r), refs);
            calls.put(r, new LinkedHashSet<>(refs));
            countCopies(grammar.rules().get(r), 1, copies);
        }
        Set<String> recursive = recursiveRules(reachable, calls);
        kept.add(grammar.root());
        kept.addAll(recursive);
        Map<String, Long> weight = new HashMap<>();
        for (String r : reachable) {
            if (kept.contains(r)) continue;
            long w = weight(grammar.rules().get(r), weight);
            long n = copies.getOrDefault(r, 0L);
            if (n > 1 && w * n > COPY_BUDGET) kept.add(r);
        }
        for (String r : kept) bodies.put(r, null);
        for (String r : new ArrayList<>(kept)) bodies.put(r, inline(grammar.rules().get(r)));
        mergeSingleUseRecursiveRules();
        LinkedHashMap<String, Expr> out = new LinkedHashMap<>();
        for (String r : kept) out.put(r, LeftRecursion.eliminate(r, bodies.get(r)));
        LeftRecursion.check(out);
        return out;
    }

    private List<String> reachable() {
        List<String> order = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        List<String> todo = new ArrayList<>(List.of(grammar.root()));
        while (!todo.isEmpty()) {
            String r = todo.removeLast();
            if (!seen.add(r)) continue;
            order.add(r);
            List<String> refs = new ArrayList<>();
            collectRefs(grammar.rules().get(r), refs);
            todo.addAll(refs.reversed());
        }
        return order;
    }

    static void collectRefs(Expr e, List<String> out) {
        switch (e) {
            case Expr.Ref r -> out.add(r.rule());
            case Expr.Seq s -> s.items().forEach(i -> collectRefs(i, out));
            case Expr.Alt a -> a.options().forEach(o -> collectRefs(o, out));
            case Expr.Repeat r -> collectRefs(r.item(), out);
            case Expr.Minus m -> {
                collectRefs(m.expr(), out);
                collectRefs(m.excluded(), out);
            }
            case Expr.Bytes b -> { }
            case Expr.Chars c -> { }
            case Expr.Literal l -> { }
        }
    }

    /** Adds to {@code copies} how many times each referenced rule would be pasted: {@code times} per reference, times n inside {m,n}. */
    private static void countCopies(Expr e, long times, Map<String, Long> copies) {
        switch (e) {
            case Expr.Ref r -> copies.merge(r.rule(), times, Long::sum);
            case Expr.Seq s -> s.items().forEach(i -> countCopies(i, times, copies));
            case Expr.Alt a -> a.options().forEach(o -> countCopies(o, times, copies));
            case Expr.Repeat r -> countCopies(r.item(), times * Math.max(1, r.max() == Expr.UNBOUNDED ? r.min() + 1 : r.max()), copies);
            case Expr.Minus m -> {
                countCopies(m.expr(), times, copies);
                countCopies(m.excluded(), times, copies);
            }
            case Expr.Bytes b -> { }
            case Expr.Chars c -> { }
            case Expr.Literal l -> { }
        }
    }

    /** Rules on a cycle of the call graph (Tarjan's strongly connected components). */
    private static Set<String> recursiveRules(List<String> rules, Map<String, Set<String>> calls) {
        Map<String, Integer> index = new HashMap<>(), low = new HashMap<>();
        List<String> stack = new ArrayList<>();
        Set<String> onStack = new LinkedHashSet<>();
        Set<String> recursive = new LinkedHashSet<>();
        int[] counter = {0};
        for (String r : rules) {
            if (!index.containsKey(r)) strongConnect(r, calls, index, low, stack, onStack, recursive, counter);
        }
        return recursive;
    }

    private static void strongConnect(String v, Map<String, Set<String>> calls, Map<String, Integer> index, Map<String, Integer> low,
                                      List<String> stack, Set<String> onStack, Set<String> recursive, int[] counter) {
        // iterative Tarjan: a deep JSON-schema $ref chain must not overflow the Java stack
        record Frame(String v, List<String> succ, int[] next) {}
        List<Frame> frames = new ArrayList<>();
        frames.add(new Frame(v, List.copyOf(calls.get(v)), new int[] {0}));
        index.put(v, counter[0]);
        low.put(v, counter[0]++);
        stack.add(v);
        onStack.add(v);
        while (!frames.isEmpty()) {
            Frame f = frames.getLast();
            if (f.next[0] < f.succ.size()) {
                String w = f.succ.get(f.next[0]++);
                if (!index.containsKey(w)) {
                    index.put(w, counter[0]);
                    low.put(w, counter[0]++);
                    stack.add(w);
                    onStack.add(w);
                    frames.add(new Frame(w, List.copyOf(calls.get(w)), new int[] {0}));
                } else if (onStack.contains(w)) {
                    low.put(f.v, Math.min(low.get(f.v), index.get(w)));
                }
                continue;
            }
            frames.removeLast();
            if (!frames.isEmpty()) {
                String parent = frames.getLast().v;
                low.put(parent, Math.min(low.get(parent), low.get(f.v)));
            }
            if (low.get(f.v).equals(index.get(f.v))) {
                List<String> component = new ArrayList<>();
                String w;
                do {
                    w = stack.removeLast();
                    onStack.remove(w);
                    component.add(w);
                } while (!w.equals(f.v));
                if (component.size() > 1 || calls.get(f.v).contains(f.v)) recursive.addAll(component);
            }
        }
    }

    /** Approximate automaton size of a body with its non-kept references pasted in. */
    private long weight(Expr e, Map<String, Long> memo) {
        return switch (e) {
            case Expr.Ref r -> {
                if (kept.contains(r.rule())) yield 1;
                Long known = memo.get(r.rule());
                if (known != null) yield known;
                memo.put(r.rule(), 1L); // non-kept rules are not recursive; this only guards
                long w = weight(grammar.rules().get(r.rule()), memo);
                memo.put(r.rule(), w);
                yield w;
            }
            case Expr.Seq s -> s.items().stream().mapToLong(i -> weight(i, memo)).sum() + 1;
            case Expr.Alt a -> a.options().stream().mapToLong(o -> weight(o, memo)).sum() + 1;
            case Expr.Repeat r -> weight(r.item(), memo) * Math.max(1, r.max() == Expr.UNBOUNDED ? r.min() + 1 : r.max()) + 1;
            case Expr.Minus m -> weight(m.expr(), memo) * weight(m.excluded(), memo);
            case Expr.Literal l -> l.bytes().length + 1;
            case Expr.Bytes b -> 1;
            case Expr.Chars c -> 4;
        };
    }

    /** {@code e} with every reference to a non-kept rule replaced by that rule's (inlined) body. */
    private Expr inline(Expr e) {
        return switch (e) {
            case Expr.Ref r -> {
                if (kept.contains(r.rule())) yield r;
                Expr known = inlined.get(r.rule());
                if (known == null) {
                    known = inline(grammar.rules().get(r.rule()));
                    inlined.put(r.rule(), known);
                }
                yield known;
            }
            case Expr.Seq s -> Expr.seq(s.items().stream().map(this::inline).toList());
            case Expr.Alt a -> Expr.alt(a.options().stream().map(this::inline).toList());
            case Expr.Repeat r -> new Expr.Repeat(inline(r.item()), r.min(), r.max());
            case Expr.Minus m -> new Expr.Minus(inline(m.expr()), inline(m.excluded()));
            default -> e;
        };
    }

    /** Pastes each kept rule that is referenced exactly once (not the root, not itself) into its one caller. */
    private void mergeSingleUseRecursiveRules() {
        for (boolean changed = true; changed; ) {
            changed = false;
            Map<String, Integer> uses = new HashMap<>();
            Map<String, String> user = new HashMap<>();
            for (String r : kept) {
                List<String> refs = new ArrayList<>();
                collectRefs(bodies.get(r), refs);
                for (String q : refs) {
                    uses.merge(q, 1, Integer::sum);
                    user.put(q, r);
                }
            }
            for (String q : new ArrayList<>(kept)) {
                if (q.equals(grammar.root()) || uses.getOrDefault(q, 0) != 1 || user.get(q).equals(q)) continue;
                String caller = user.get(q);
                Expr body = bodies.get(q);
                bodies.put(caller, substitute(bodies.get(caller), q, body));
                kept.remove(q);
                bodies.remove(q);
                changed = true;
                break;
            }
        }
    }

    private static Expr substitute(Expr e, String rule, Expr body) {
        IdentityHashMap<Expr, Expr> memo = new IdentityHashMap<>();
        return substitute(e, rule, body, memo);
    }

    private static Expr substitute(Expr e, String rule, Expr body, IdentityHashMap<Expr, Expr> memo) {
        Expr done = memo.get(e);
        if (done != null) return done;
        Expr out = switch (e) {
            case Expr.Ref r -> r.rule().equals(rule) ? body : r;
            case Expr.Seq s -> Expr.seq(s.items().stream().map(i -> substitute(i, rule, body, memo)).toList());
            case Expr.Alt a -> Expr.alt(a.options().stream().map(o -> substitute(o, rule, body, memo)).toList());
            case Expr.Repeat r -> new Expr.Repeat(substitute(r.item(), rule, body, memo), r.min(), r.max());
            case Expr.Minus m -> new Expr.Minus(substitute(m.expr(), rule, body, memo), substitute(m.excluded(), rule, body, memo));
            default -> e;
        };
        memo.put(e, out);
        return out;
    }
}
