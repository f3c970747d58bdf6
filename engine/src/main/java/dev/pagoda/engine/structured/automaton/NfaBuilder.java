package dev.pagoda.engine.structured.automaton;

import dev.pagoda.engine.structured.grammar.ByteSet;
import dev.pagoda.engine.structured.grammar.Expr;
import dev.pagoda.engine.structured.grammar.GrammarException;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Thompson construction of one rule body into an {@link Nfa}: {@code build(e, a, b)} adds edges
 * that lead from state {@code a} to state {@code b} exactly over the strings of {@code e}, with
 * fresh states in between (a loop always gets its own fresh state, so fragments that share their
 * end points never leak into each other). References become call edges to the rules they name.
 */
final class NfaBuilder {

    /** Most NFA states one rule may take: beyond it the grammar is refused as too large. */
    static final int MAX_STATES = 2_000_000;

    private final Nfa nfa = new Nfa();
    private final Map<String, Integer> ruleIndex; // null: references are refused (a regular sub-expression)
    // A sequence or choice object built again towards the same end state reuses its first
    // fragment: its strings lead to that end either way. The JSON-schema compiler shares the
    // "remaining properties" tail between branches this way, so n optional properties cost
    // O(n) states instead of O(n²).
    private final IdentityHashMap<Expr, Map<Integer, Integer>> built = new IdentityHashMap<>();

    private NfaBuilder(Map<String, Integer> ruleIndex) {
        this.ruleIndex = ruleIndex;
    }

    /** The NFA of {@code body}: state 0 is the start, state 1 the accepting end. */
    static Nfa of(Expr body, Map<String, Integer> ruleIndex) {
        NfaBuilder b = new NfaBuilder(ruleIndex);
        int start = b.state();
        int end = b.state();
        b.build(body, start, end);
        return b.nfa;
    }

    private int state() {
        if (nfa.states() >= MAX_STATES) {
            throw new GrammarException("the grammar is too large (more than " + MAX_STATES + " automaton states in one rule); "
                    + "lower repetition counts such as maxItems or maxLength");
        }
        return nfa.addState();
    }

    private void build(Expr e, int a, int b) {
        if (e instanceof Expr.Seq || e instanceof Expr.Alt) {
            Map<Integer, Integer> byEnd = built.computeIfAbsent(e, k -> new HashMap<>());
            Integer entry = byEnd.get(b);
            if (entry == null) {
                entry = state();
                byEnd.put(b, entry);
                buildFresh(e, entry, b);
            }
            nfa.epsilon(a, entry);
            return;
        }
        buildFresh(e, a, b);
    }

    private void buildFresh(Expr e, int a, int b) {
        switch (e) {
            case Expr.Bytes bytes -> byteSet(bytes.set(), a, b);
            case Expr.Chars chars -> {
                for (int[] seq : Utf8Sequences.of(chars.set())) {
                    int cur = a;
                    for (int i = 0; i < seq.length; i += 2) {
                        int next = i + 2 == seq.length ? b : state();
                        nfa.bytes(cur, next, seq[i], seq[i + 1]);
                        cur = next;
                    }
                }
            }
            case Expr.Literal lit -> {
                byte[] bytes = lit.bytes();
                if (bytes.length == 0) {
                    nfa.epsilon(a, b);
                    return;
                }
                int cur = a;
                for (int i = 0; i < bytes.length; i++) {
                    int next = i + 1 == bytes.length ? b : state();
                    nfa.bytes(cur, next, bytes[i] & 0xFF, bytes[i] & 0xFF);
                    cur = next;
                }
            }
            case Expr.Seq seq -> {
                if (seq.items().isEmpty()) {
                    nfa.epsilon(a, b);
                    return;
                }
                int cur = a;
                for (int i = 0; i < seq.items().size(); i++) {
                    int next = i + 1 == seq.items().size() ? b : state();
                    build(seq.items().get(i), cur, next);
                    cur = next;
                }
            }
            case Expr.Alt alt -> {
                for (Expr option : alt.options()) build(option, a, b);
            }
            case Expr.Repeat r -> repeat(r, a, b);
            case Expr.Ref ref -> {
                if (ruleIndex == null) throw new GrammarException("rule \"" + ref.rule() + "\" is used where only a regular expression may stand");
                Integer rule = ruleIndex.get(ref.rule());
                if (rule == null) throw new IllegalStateException("reference to a rule that was not kept: " + ref.rule());
                nfa.call(a, b, rule);
            }
            case Expr.Minus m -> embed(ByteDfa.of(m.expr()).minus(ByteDfa.of(m.excluded())), a, b);
        }
    }

    private void byteSet(ByteSet set, int a, int b) {
        int[] r = set.ranges();
        for (int i = 0; i < r.length; i += 2) nfa.bytes(a, b, r[i], r[i + 1]);
    }

    private void repeat(Expr.Repeat r, int a, int b) {
        int cur = a;
        for (int i = 0; i < r.min(); i++) {
            int next = state();
            build(r.item(), cur, next);
            cur = next;
        }
        if (r.max() == Expr.UNBOUNDED) {
            int loop = state();
            nfa.epsilon(cur, loop);
            build(r.item(), loop, loop);
            nfa.epsilon(loop, b);
            return;
        }
        for (int i = r.min(); i < r.max(); i++) {
            nfa.epsilon(cur, b);
            int next = state();
            build(r.item(), cur, next);
            cur = next;
        }
        nfa.epsilon(cur, b);
    }

    /** A byte DFA's states as NFA states between {@code a} and {@code b}. */
    private void embed(ByteDfa dfa, int a, int b) {
        if (dfa.states() == 0) return; // the empty language: no path from a to b
        int[] mapped = new int[dfa.states()];
        for (int s = 0; s < mapped.length; s++) mapped[s] = state();
        nfa.epsilon(a, mapped[0]);
        for (int s = 0; s < mapped.length; s++) {
            if (dfa.accepting(s)) nfa.epsilon(mapped[s], b);
            for (int c = 0; c < 256; ) {
                int t = dfa.next(s, c);
                int d = c;
                while (d + 1 < 256 && dfa.next(s, d + 1) == t) d++;
                if (t >= 0) nfa.bytes(mapped[s], mapped[t], c, d);
                c = d + 1;
            }
        }
    }

    /** The NFA of a regular sub-expression (no rule references). */
    static Nfa regular(Expr e) {
        return of(e, null);
    }
}
