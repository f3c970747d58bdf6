package dev.pagoda.engine.structured.automaton;

import java.util.Arrays;

/**
 * A nondeterministic automaton over bytes and rule calls, as growable edge arrays: what one
 * grammar rule's body becomes (Thompson construction, {@link NfaBuilder}) before it is made
 * deterministic. A call edge {@code a --call R--> b} means: match rule R, then continue at b.
 */
final class Nfa {

    static final int EPSILON = -1;
    static final int CALL = -2;

    private int states;
    private int edges;
    private int[] from = new int[64];
    private int[] to = new int[64];
    private int[] lo = new int[64];   // first byte, or EPSILON / CALL
    private int[] hi = new int[64];   // last byte, or the called rule
    private int[] csrStart;           // (states + 1) edges of state s: csrEdge[csrStart[s] .. csrStart[s+1])
    private int[] csrEdge;

    int addState() {
        csrStart = null;
        return states++;
    }

    int states() {
        return states;
    }

    int edgeCount() {
        return edges;
    }

    void epsilon(int a, int b) {
        add(a, b, EPSILON, 0);
    }

    void bytes(int a, int b, int first, int last) {
        add(a, b, first, last);
    }

    void call(int a, int b, int rule) {
        add(a, b, CALL, rule);
    }

    private void add(int a, int b, int l, int h) {
        if (edges == from.length) {
            int n = edges * 2;
            from = Arrays.copyOf(from, n);
            to = Arrays.copyOf(to, n);
            lo = Arrays.copyOf(lo, n);
            hi = Arrays.copyOf(hi, n);
        }
        from[edges] = a;
        to[edges] = b;
        lo[edges] = l;
        hi[edges] = h;
        edges++;
        csrStart = null;
    }

    int edgeTo(int e) {
        return to[e];
    }

    int edgeLo(int e) {
        return lo[e];
    }

    int edgeHi(int e) {
        return hi[e];
    }

    /** First index into {@link #outgoing} of state {@code s}'s edges; they end at {@code outStart(s + 1)}. */
    int outStart(int s) {
        index();
        return csrStart[s];
    }

    int outgoing(int i) {
        return csrEdge[i];
    }

    private void index() {
        if (csrStart != null) return;
        int[] start = new int[states + 1];
        for (int e = 0; e < edges; e++) start[from[e] + 1]++;
        for (int s = 0; s < states; s++) start[s + 1] += start[s];
        int[] fill = Arrays.copyOf(start, states);
        int[] edge = new int[edges];
        for (int e = 0; e < edges; e++) edge[fill[from[e]]++] = e;
        csrStart = start;
        csrEdge = edge;
    }
}
