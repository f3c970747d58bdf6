package dev.pagoda.engine.structured.mask;

import dev.pagoda.engine.structured.automaton.Automaton;
import dev.pagoda.engine.structured.automaton.IntKey;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Automaton states that no token can tell apart, so that their token tables are computed once:
 * states equivalent for every byte string up to the longest token's length (Moore's refinement
 * stopped after that many rounds, or earlier where it is stable). A table only depends on what
 * happens within one token's bytes, so k-equivalent states have equal tables. This is what makes
 * bounded repetition cheap: the 200 states of {@code maxLength: 200} or the 20 copies of an
 * array item under {@code maxItems: 20} differ only near their bound, and all but the last
 * token-length of them share one table.
 *
 * <p>The first partition separates accepting states by the FOLLOW set of their rule (where a
 * rule ends inside a token, what may follow decides the table), and gives every state that calls
 * a rule a class of its own, so equivalence is only ever claimed through byte transitions.
 */
final class TokenEquivalence {

    private TokenEquivalence() {}

    /** Class of each state; states of one class have equal token tables. */
    static int[] classes(Automaton a, int depth) {
        int n = a.states();
        int[] followIds = new int[a.rules()];
        for (int r = 0; r < followIds.length; r++) followIds[r] = followId(a, r);
        int[] block = new int[n];
        Map<IntKey, Integer> ids = new HashMap<>();
        for (int s = 0; s < n; s++) {
            int f = a.flags(s);
            int[] sig = (f & Automaton.CALLS) != 0 ? new int[] {-1, s}
                    : new int[] {f, (f & Automaton.ACCEPTS) != 0 ? followIds[a.ruleOf(s)] : -1};
            block[s] = ids.computeIfAbsent(new IntKey(sig), k -> ids.size());
        }
        int blocks = ids.size();
        int[] bytes = representativeBytes(a);
        for (int round = 0; round < depth; round++) {
            Map<IntKey, Integer> next = new HashMap<>();
            int[] refined = new int[n];
            for (int s = 0; s < n; s++) {
                int[] sig = new int[1 + bytes.length];
                sig[0] = block[s];
                for (int i = 0; i < bytes.length; i++) {
                    int t = a.next(s, bytes[i]);
                    sig[1 + i] = t < 0 ? -1 : block[t];
                }
                refined[s] = next.computeIfAbsent(new IntKey(sig), k -> next.size());
            }
            block = refined;
            if (next.size() == blocks) break; // stable: a full equivalence
            blocks = next.size();
        }
        return block;
    }

    /** One byte per byte class of the automaton (bytes the automaton cannot tell apart need one look). */
    private static int[] representativeBytes(Automaton a) {
        int[] out = new int[256];
        int n = 0;
        int[] previous = null;
        for (int b = 0; b < 256; b++) {
            int[] column = column(a, b);
            if (previous == null || !Arrays.equals(column, previous)) out[n++] = b;
            previous = column;
        }
        return Arrays.copyOf(out, n);
    }

    private static int[] column(Automaton a, int b) {
        int[] c = new int[a.states()];
        for (int s = 0; s < c.length; s++) c[s] = a.next(s, b);
        return c;
    }

    private static int followId(Automaton a, int rule) {
        // rules with equal FOLLOW sets may share: the id is the set's first rule with it
        for (int r = 0; r <= rule; r++) {
            boolean same = true;
            for (int b = 0; b < 256 && same; b++) same = a.canFollow(r, b) == a.canFollow(rule, b);
            if (same) return r;
        }
        return rule;
    }
}
