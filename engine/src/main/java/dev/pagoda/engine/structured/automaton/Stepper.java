package dev.pagoda.engine.structured.automaton;

import java.util.Arrays;

/**
 * Moves configuration sets over bytes: {@link #step} reads one byte in every configuration and
 * expands the result — a state that calls a rule also stands at the callee's start (the return
 * state pushed), a state that accepts also stands where its caller resumes (popped) — until
 * only states that read bytes remain. With no left recursion (refused when compiling) the
 * expansion ends; equal configurations are kept once (their stacks are hash-consed).
 *
 * <p>Not thread-safe: one per matcher or per precomputation.
 */
public final class Stepper {

    /** More simultaneous configurations than this is an ambiguity blow-up, refused rather than run. */
    public static final int MAX_CONFIGS = 4096;

    private final Automaton a;
    private final StackPool pool;
    private int[] workState = new int[64];
    private int[] workNode = new int[64];
    private long[] seenKey = new long[256];
    private int[] seenGen = new int[256];
    private int gen;
    private int seenInGen; // entries of the current generation

    public Stepper(Automaton a, StackPool pool) {
        this.a = a;
        this.pool = pool;
    }

    public Automaton automaton() {
        return a;
    }

    public StackPool pool() {
        return pool;
    }

    /** {@code to} = the expansion of the configurations of {@code from} that read {@code b}, after reading it. */
    public void step(ConfigSet from, int b, ConfigSet to) {
        to.clear();
        if (from.size == 1) {
            int t = a.next(from.states[0], b);
            if (t < 0) return;
            if (a.flags(t) == Automaton.READS) { // the common case inside one rule: no call, no end
                to.add(t, from.nodes[0]);
                return;
            }
            startExpansion();
            work(0, t, from.nodes[0]);
            expand(1, to);
            return;
        }
        startExpansion();
        int n = 0;
        for (int i = 0; i < from.size; i++) {
            int t = a.next(from.states[i], b);
            if (t >= 0) n = work(n, t, from.nodes[i]);
        }
        expand(n, to);
    }

    /** {@code to} = the expansion of one configuration. */
    public void expand(int state, int node, ConfigSet to) {
        to.clear();
        startExpansion();
        work(0, state, node);
        expand(1, to);
    }

    /** {@code to} = where the caller resumes when the rule on top of {@code node}'s stack ends: the popped configuration, expanded. */
    public void pop(int node, ConfigSet to) {
        to.clear();
        if (node == StackPool.EMPTY) {
            to.atBottom = true;
            return;
        }
        expand(pool.state(node), pool.parent(node), to);
    }

    private void startExpansion() {
        seenInGen = 0;
        if (++gen == Integer.MAX_VALUE) {
            Arrays.fill(seenGen, 0);
            gen = 1;
        }
    }

    private int work(int n, int state, int node) {
        if (n == workState.length) {
            workState = Arrays.copyOf(workState, n * 2);
            workNode = Arrays.copyOf(workNode, n * 2);
        }
        workState[n] = state;
        workNode[n] = node;
        return n + 1;
    }

    private void expand(int n, ConfigSet to) {
        int seen = 0;
        while (n > 0) {
            n--;
            int s = workState[n], node = workNode[n];
            if (!firstVisit(s, node)) continue;
            if (++seen > MAX_CONFIGS) {
                throw new IllegalStateException("the grammar is too ambiguous here: more than " + MAX_CONFIGS + " parses at once");
            }
            int f = a.flags(s);
            if ((f & Automaton.READS) != 0) to.add(s, node);
            if ((f & Automaton.CALLS) != 0) {
                for (int c = a.callsFrom(s), end = a.callsEnd(s); c < end; c++) {
                    n = work(n, a.callee(c), pool.push(a.callReturn(c), node));
                }
            }
            if ((f & Automaton.ACCEPTS) != 0) {
                if (node == StackPool.EMPTY) to.atBottom = true;
                else n = work(n, pool.state(node), pool.parent(node));
            }
        }
    }

    /** Marks (state, node) seen in this expansion; false if it already was. */
    private boolean firstVisit(int state, int node) {
        long key = ((long) state << 32) | (node & 0xFFFFFFFFL);
        int mask = seenKey.length - 1;
        int h = (int) (key ^ (key >>> 29)) * 0x9E3779B1;
        h = (h ^ (h >>> 16)) & mask;
        while (seenGen[h] == gen) {
            if (seenKey[h] == key) return false;
            h = (h + 1) & mask;
        }
        seenGen[h] = gen;
        seenKey[h] = key;
        if (++seenInGen * 2 > seenKey.length) growSeen();
        return true;
    }

    private void growSeen() {
        long[] oldKey = seenKey;
        int[] oldGen = seenGen;
        seenKey = new long[oldKey.length * 2];
        seenGen = new int[oldKey.length * 2];
        int mask = seenKey.length - 1;
        for (int i = 0; i < oldKey.length; i++) {
            if (oldGen[i] != gen) continue;
            long key = oldKey[i];
            int h = (int) (key ^ (key >>> 29)) * 0x9E3779B1;
            h = (h ^ (h >>> 16)) & mask;
            while (seenGen[h] == gen) h = (h + 1) & mask;
            seenGen[h] = gen;
            seenKey[h] = key;
        }
    }
}
