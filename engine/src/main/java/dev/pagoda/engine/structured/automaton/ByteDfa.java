package dev.pagoda.engine.structured.automaton;

import dev.pagoda.engine.structured.grammar.Expr;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A deterministic automaton over the 256 byte values for a regular expression without rule
 * references: what {@link Expr.Minus} is computed on (a product with the complement of the
 * excluded language). State 0 is the start; no states means the empty language.
 */
final class ByteDfa {

    private final int[] next;        // (states, 256) target or -1
    private final boolean[] accepting;

    private ByteDfa(int[] next, boolean[] accepting) {
        this.next = next;
        this.accepting = accepting;
    }

    static ByteDfa of(Expr e) {
        Nfa nfa = NfaBuilder.regular(e);
        Closure closure = new Closure(nfa);
        Map<IntKey, Integer> ids = new HashMap<>();
        List<int[]> sets = new ArrayList<>();
        IntKey start = new IntKey(closure.epsilon(new int[] {0}));
        ids.put(start, 0);
        sets.add(start.values());
        List<int[]> rows = new ArrayList<>();
        List<Boolean> acc = new ArrayList<>();
        for (int i = 0; i < sets.size(); i++) {
            int[] set = sets.get(i);
            acc.add(Arrays.binarySearch(set, 1) >= 0);
            int[] row = new int[256];
            for (int c = 0; c < 256; c++) {
                int[] moved = closure.moveOnByte(set, c);
                if (moved.length == 0) {
                    row[c] = -1;
                    continue;
                }
                IntKey key = new IntKey(closure.epsilon(moved));
                Integer id = ids.get(key);
                if (id == null) {
                    id = sets.size();
                    ids.put(key, id);
                    sets.add(key.values());
                }
                row[c] = id;
            }
            rows.add(row);
        }
        int[] next = new int[rows.size() * 256];
        boolean[] accepting = new boolean[rows.size()];
        for (int s = 0; s < rows.size(); s++) {
            System.arraycopy(rows.get(s), 0, next, s * 256, 256);
            accepting[s] = acc.get(s);
        }
        return new ByteDfa(next, accepting).trimmed();
    }

    int states() {
        return accepting.length;
    }

    int next(int s, int b) {
        return next[s * 256 + b];
    }

    boolean accepting(int s) {
        return accepting[s];
    }

    /** Strings of this language not in {@code other}'s: the product with other's complement. */
    ByteDfa minus(ByteDfa other) {
        if (states() == 0) return this;
        Map<Long, Integer> ids = new HashMap<>();
        List<long[]> pairs = new ArrayList<>();
        ArrayDeque<Integer> todo = new ArrayDeque<>();
        long startPair = pair(0, other.states() == 0 ? -1 : 0);
        ids.put(startPair, 0);
        pairs.add(new long[] {startPair});
        todo.add(0);
        List<int[]> rows = new ArrayList<>();
        while (rows.size() < pairs.size()) {
            long p = pairs.get(rows.size())[0];
            int a = (int) (p >> 32), b = (int) p;
            int[] row = new int[256];
            for (int c = 0; c < 256; c++) {
                int na = next(a, c);
                if (na < 0) {
                    row[c] = -1;
                    continue;
                }
                int nb = b < 0 ? -1 : other.next(b, c);
                long np = pair(na, nb);
                Integer id = ids.get(np);
                if (id == null) {
                    id = pairs.size();
                    ids.put(np, id);
                    pairs.add(new long[] {np});
                }
                row[c] = id;
            }
            rows.add(row);
        }
        int[] next = new int[rows.size() * 256];
        boolean[] accepting = new boolean[rows.size()];
        for (int s = 0; s < rows.size(); s++) {
            System.arraycopy(rows.get(s), 0, next, s * 256, 256);
            long p = pairs.get(s)[0];
            int a = (int) (p >> 32), b = (int) p;
            accepting[s] = accepting(a) && !(b >= 0 && other.accepting(b));
        }
        return new ByteDfa(next, accepting).trimmed();
    }

    private static long pair(int a, int b) {
        return ((long) a << 32) | (b & 0xFFFFFFFFL);
    }

    /** Without the states from which nothing is accepted (so a walk never enters a dead end). */
    private ByteDfa trimmed() {
        int n = states();
        boolean[] live = accepting.clone();
        for (boolean changed = true; changed; ) {
            changed = false;
            for (int s = 0; s < n; s++) {
                if (live[s]) continue;
                for (int c = 0; c < 256; c++) {
                    int t = next[s * 256 + c];
                    if (t >= 0 && live[t]) {
                        live[s] = true;
                        changed = true;
                        break;
                    }
                }
            }
        }
        if (n == 0 || !live[0]) return new ByteDfa(new int[0], new boolean[0]);
        int[] map = new int[n];
        int m = 0;
        for (int s = 0; s < n; s++) map[s] = live[s] ? m++ : -1;
        int[] nn = new int[m * 256];
        boolean[] acc = new boolean[m];
        for (int s = 0; s < n; s++) {
            if (map[s] < 0) continue;
            acc[map[s]] = accepting[s];
            for (int c = 0; c < 256; c++) {
                int t = next[s * 256 + c];
                nn[map[s] * 256 + c] = t >= 0 ? map[t] : -1;
            }
        }
        return new ByteDfa(nn, acc);
    }
}
