package dev.pagoda.engine.structured.automaton;

import java.util.Arrays;

/**
 * Subset-construction steps over one {@link Nfa}: epsilon closures and moves, as sorted state
 * arrays. Keeps a visit stamp per NFA state, so a closure costs what it reaches, not the NFA's size.
 */
final class Closure {

    private final Nfa nfa;
    private final int[] stamp;
    private int generation;
    private int[] stack = new int[64];
    private int[] found = new int[64];

    Closure(Nfa nfa) {
        this.nfa = nfa;
        this.stamp = new int[nfa.states()];
    }

    /** {@code states} (sorted or not, duplicates allowed) plus everything reachable from them over epsilon edges, sorted. */
    int[] epsilon(int[] states, int count) {
        generation++;
        int top = 0, n = 0;
        for (int i = 0; i < count; i++) {
            int s = states[i];
            if (stamp[s] == generation) continue;
            stamp[s] = generation;
            top = push(top, s);
        }
        while (top > 0) {
            int s = stack[--top];
            if (n == found.length) found = Arrays.copyOf(found, n * 2);
            found[n++] = s;
            for (int i = nfa.outStart(s), end = nfa.outStart(s + 1); i < end; i++) {
                int e = nfa.outgoing(i);
                if (nfa.edgeLo(e) != Nfa.EPSILON) continue;
                int t = nfa.edgeTo(e);
                if (stamp[t] == generation) continue;
                stamp[t] = generation;
                top = push(top, t);
            }
        }
        int[] out = Arrays.copyOf(found, n);
        Arrays.sort(out);
        return out;
    }

    int[] epsilon(int[] states) {
        return epsilon(states, states.length);
    }

    private int push(int top, int s) {
        if (top == stack.length) stack = Arrays.copyOf(stack, top * 2);
        stack[top] = s;
        return top + 1;
    }

    /** Targets of the byte edges from {@code states} that cover byte {@code b}, without duplicates. */
    int[] moveOnByte(int[] states, int b) {
        generation++;
        int n = 0;
        for (int s : states) {
            for (int i = nfa.outStart(s), end = nfa.outStart(s + 1); i < end; i++) {
                int e = nfa.outgoing(i);
                int lo = nfa.edgeLo(e);
                int t = nfa.edgeTo(e);
                if (lo >= 0 && lo <= b && b <= nfa.edgeHi(e) && stamp[t] != generation) {
                    stamp[t] = generation;
                    if (n == found.length) found = Arrays.copyOf(found, n * 2);
                    found[n++] = t;
                }
            }
        }
        return Arrays.copyOf(found, n);
    }
}
