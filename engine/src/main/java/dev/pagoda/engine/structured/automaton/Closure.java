package dev.pagoda.engine.structured.automaton;

import java.util.Arrays;
import java.util.BitSet;

/** Subset-construction steps over an {@link Nfa}: epsilon closures and moves, as sorted state arrays. */
final class Closure {

    private Closure() {}

    /** {@code states} plus everything reachable from them over epsilon edges, sorted. */
    static int[] epsilon(Nfa nfa, int[] states) {
        BitSet seen = new BitSet(nfa.states());
        int[] stack = new int[Math.max(16, states.length)];
        int top = 0;
        for (int s : states) {
            if (!seen.get(s)) {
                seen.set(s);
                if (top == stack.length) stack = Arrays.copyOf(stack, top * 2);
                stack[top++] = s;
            }
        }
        while (top > 0) {
            int s = stack[--top];
            for (int i = nfa.outStart(s), end = nfa.outStart(s + 1); i < end; i++) {
                int e = nfa.outgoing(i);
                if (nfa.edgeLo(e) != Nfa.EPSILON) continue;
                int t = nfa.edgeTo(e);
                if (seen.get(t)) continue;
                seen.set(t);
                if (top == stack.length) stack = Arrays.copyOf(stack, top * 2);
                stack[top++] = t;
            }
        }
        return seen.stream().toArray();
    }

    /** Targets of the byte edges from {@code states} that cover byte {@code b}, sorted, without duplicates. */
    static int[] moveOnByte(Nfa nfa, int[] states, int b) {
        BitSet out = new BitSet();
        for (int s : states) {
            for (int i = nfa.outStart(s), end = nfa.outStart(s + 1); i < end; i++) {
                int e = nfa.outgoing(i);
                int lo = nfa.edgeLo(e);
                if (lo >= 0 && lo <= b && b <= nfa.edgeHi(e)) out.set(nfa.edgeTo(e));
            }
        }
        return out.stream().toArray();
    }
}
