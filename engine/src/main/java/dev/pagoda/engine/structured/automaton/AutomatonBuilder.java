package dev.pagoda.engine.structured.automaton;

import dev.pagoda.engine.structured.grammar.Expr;
import dev.pagoda.engine.structured.grammar.Grammar;
import dev.pagoda.engine.structured.grammar.GrammarException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Grammar to {@link Automaton}: choose the rules that stay rules ({@link RuleInliner}), build
 * each one's NFA, find the byte classes, determinise and minimise each rule, then number all
 * states globally and compute what may follow each rule's end (used to reject, without the
 * stack, tokens that run past a rule's end into a byte no caller accepts).
 */
public final class AutomatonBuilder {

    /** Most states a whole grammar may have. */
    public static final int MAX_STATES = 400_000;

    private AutomatonBuilder() {}

    public static Automaton build(Grammar grammar) {
        LinkedHashMap<String, Expr> rules = RuleInliner.keptRules(grammar);
        List<String> names = new ArrayList<>(rules.keySet());
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < names.size(); i++) index.put(names.get(i), i);
        List<Nfa> nfas = new ArrayList<>();
        for (Expr body : rules.values()) nfas.add(NfaBuilder.of(body, index));
        ByteClasses classes = ByteClasses.of(nfas);
        List<RuleDfa> dfas = new ArrayList<>();
        int total = 0;
        for (Nfa nfa : nfas) {
            RuleDfa d = Minimizer.minimize(Determinizer.determinize(nfa, classes));
            dfas.add(d);
            total += d.states;
            if (total > MAX_STATES) throw new GrammarException("the grammar is too large (more than " + MAX_STATES + " automaton states)");
        }
        if (dfas.getFirst().states == 0) throw new GrammarException("the grammar matches no output at all");
        return assemble(names, dfas, classes, total);
    }

    private static Automaton assemble(List<String> names, List<RuleDfa> dfas, ByteClasses classes, int total) {
        int k = classes.count;
        int[] base = new int[dfas.size()];
        for (int r = 1; r < dfas.size(); r++) base[r] = base[r - 1] + dfas.get(r - 1).states;
        int[] next = new int[total * k];
        byte[] flags = new byte[total];
        int[] ruleOf = new int[total];
        IntBuffer callOffset = new IntBuffer(), callee = new IntBuffer(), callReturn = new IntBuffer();
        for (int r = 0; r < dfas.size(); r++) {
            RuleDfa d = dfas.get(r);
            for (int s = 0; s < d.states; s++) {
                int g = base[r] + s;
                ruleOf[g] = r;
                int f = d.accepting[s] ? Automaton.ACCEPTS : 0;
                for (int c = 0; c < k; c++) {
                    int t = d.next[s * k + c];
                    next[g * k + c] = t < 0 ? -1 : base[r] + t;
                    if (t >= 0) f |= Automaton.READS;
                }
                callOffset.add(callee.size());
                for (int e = d.callOffset[s]; e < d.callOffset[s + 1]; e++) {
                    int q = d.callRule[e];
                    if (dfas.get(q).states == 0) continue; // a rule that matches nothing: the call never returns
                    callee.add(base[q]);
                    callReturn.add(base[r] + d.callTarget[e]);
                    f |= Automaton.CALLS;
                }
                flags[g] = (byte) f;
            }
        }
        callOffset.add(callee.size());
        int[] co = callOffset.toArray(), ce = callee.toArray(), cr = callReturn.toArray();
        long[] follow = follow(total, k, next, flags, ruleOf, co, ce, cr, base, classes);
        return new Automaton(total, k, classes.classOf.clone(), next, flags, ruleOf, co, ce, cr, follow, names.toArray(String[]::new));
    }

    /**
     * FOLLOW sets over bytes, to a fixpoint: what follows rule R is what can be read first from
     * the return state of any call to R; what can be read first from a state is its own bytes,
     * what its callees can read first (and, past a callee that can match nothing, what the
     * return state can), and, where the state accepts, what follows its rule.
     */
    private static long[] follow(int states, int k, int[] next, byte[] flags, int[] ruleOf, int[] callOffset, int[] callee,
                                 int[] callReturn, int[] ruleStart, ByteClasses classes) {
        int rules = ruleStart.length;
        boolean[] nullable = new boolean[rules];
        for (boolean changed = true; changed; ) {
            changed = false;
            for (int r = 0; r < rules; r++) {
                if (nullable[r] || ruleStart[r] >= states || ruleOf[ruleStart[r]] != r) continue; // done, or a rule with no states
                if (reachesAcceptWithoutBytes(ruleStart[r], flags, ruleOf, callOffset, callee, callReturn, nullable)) {
                    nullable[r] = true;
                    changed = true;
                }
            }
        }
        long[] first = new long[4 * states];
        for (int s = 0; s < states; s++) {
            for (int b = 0; b < 256; b++) {
                if (next[s * k + classes.classOf[b]] >= 0) first[4 * s + (b >> 6)] |= 1L << b;
            }
        }
        long[] follow = new long[4 * rules];
        for (boolean changed = true; changed; ) {
            changed = false;
            for (int s = 0; s < states; s++) {
                for (int c = callOffset[s]; c < callOffset[s + 1]; c++) {
                    int q = ruleOf[callee[c]];
                    changed |= or(first, 4 * s, first, 4 * callee[c]);
                    if (nullable[q]) changed |= or(first, 4 * s, first, 4 * callReturn[c]);
                    changed |= or(follow, 4 * q, first, 4 * callReturn[c]);
                }
                if ((flags[s] & Automaton.ACCEPTS) != 0) changed |= or(first, 4 * s, follow, 4 * ruleOf[s]);
            }
        }
        return follow;
    }

    private static boolean reachesAcceptWithoutBytes(int start, byte[] flags, int[] ruleOf, int[] callOffset, int[] callee,
                                                     int[] callReturn, boolean[] nullable) {
        List<Integer> todo = new ArrayList<>(List.of(start));
        java.util.Set<Integer> seen = new java.util.HashSet<>(todo);
        while (!todo.isEmpty()) {
            int s = todo.removeLast();
            if ((flags[s] & Automaton.ACCEPTS) != 0) return true;
            for (int c = callOffset[s]; c < callOffset[s + 1]; c++) {
                if (nullable[ruleOf[callee[c]]] && seen.add(callReturn[c])) todo.add(callReturn[c]);
            }
        }
        return false;
    }

    private static boolean or(long[] into, int at, long[] from, int src) {
        boolean changed = false;
        for (int i = 0; i < 4; i++) {
            long v = into[at + i] | from[src + i];
            if (v != into[at + i]) {
                into[at + i] = v;
                changed = true;
            }
        }
        return changed;
    }
}
