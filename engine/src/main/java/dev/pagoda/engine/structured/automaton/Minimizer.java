package dev.pagoda.engine.structured.automaton;

import java.util.Arrays;

/**
 * DFA minimisation by Hopcroft's partition refinement, O(n·k·log n): states start split into
 * accepting and not, and a block is split by the states whose transition on some symbol (a byte
 * class or a call) leads into a splitter block, always refining with the smaller half. The DFA is
 * completed with a sink for the refinement; states from which no accepting state is reachable
 * are dropped first. Fewer states mean fewer token-mask tables to precompute.
 */
final class Minimizer {

    private Minimizer() {}

    static RuleDfa minimize(RuleDfa d) {
        RuleDfa live = withoutDeadStates(d);
        if (live.states == 0) return live;
        int n = live.states, k = live.classes;
        int[] callees = distinctCallees(live);
        int symbols = k + callees.length;
        int sink = n, total = n + 1;
        int[] delta = new int[total * symbols]; // (states + sink, symbols) target, the sink for none
        java.util.Arrays.fill(delta, sink);
        for (int s = 0; s < n; s++) {
            for (int c = 0; c < k; c++) {
                int t = live.next[s * k + c];
                if (t >= 0) delta[s * symbols + c] = t;
            }
            for (int e = live.callOffset[s]; e < live.callOffset[s + 1]; e++) {
                delta[s * symbols + k + Arrays.binarySearch(callees, live.callRule[e])] = live.callTarget[e];
            }
        }
        int[] block = new Refinement(total, symbols, delta, live.accepting).run();
        // renumber so the start's block is 0 and the rest follow first appearance; the sink's block is dropped
        int sinkBlock = block[sink];
        int[] order = new int[total];
        Arrays.fill(order, -1);
        int m = 0;
        order[block[0]] = m++;
        for (int s = 0; s < n; s++) if (order[block[s]] < 0 && block[s] != sinkBlock) order[block[s]] = m++;
        int blocks = m;
        int[] representative = new int[blocks];
        for (int s = n - 1; s >= 0; s--) if (block[s] != sinkBlock) representative[order[block[s]]] = s;
        int[] nn = new int[blocks * k];
        boolean[] acc = new boolean[blocks];
        IntBuffer callOffset = new IntBuffer(), callRule = new IntBuffer(), callTarget = new IntBuffer();
        for (int b = 0; b < blocks; b++) {
            int s = representative[b];
            acc[b] = live.accepting[s];
            for (int c = 0; c < k; c++) {
                int t = live.next[s * k + c];
                nn[b * k + c] = t < 0 || block[t] == sinkBlock ? -1 : order[block[t]];
            }
            callOffset.add(callRule.size());
            for (int e = live.callOffset[s]; e < live.callOffset[s + 1]; e++) {
                callRule.add(live.callRule[e]);
                callTarget.add(order[block[live.callTarget[e]]]);
            }
        }
        callOffset.add(callRule.size());
        return new RuleDfa(blocks, k, nn, acc, callOffset.toArray(), callRule.toArray(), callTarget.toArray());
    }

    private static int[] distinctCallees(RuleDfa d) {
        return Arrays.stream(d.callRule).distinct().sorted().toArray();
    }

    /** Hopcroft's algorithm over a complete DFA given as a (states, symbols) transition table. */
    private static final class Refinement {
        private final int n, symbols;
        private final int[] delta;
        private final int[] invStart; // (symbols, n + 1) sources of (symbol, target) at invSource[invStart[..] ..]
        private final int[] invSource;
        private final int[] elems, loc, blockOf;
        private int[] first, end, marked;
        private boolean[] queued; // (blocks, symbols)
        private int blocks;
        private final IntBuffer touched = new IntBuffer();
        private final IntBuffer queue = new IntBuffer(); // pairs: block, symbol

        Refinement(int n, int symbols, int[] delta, boolean[] accepting) {
            this.n = n;
            this.symbols = symbols;
            this.delta = delta;
            invStart = new int[symbols * (n + 1) + 1];
            for (int s = 0; s < n; s++) for (int a = 0; a < symbols; a++) invStart[a * (n + 1) + delta[s * symbols + a] + 1]++;
            for (int i = 0; i + 1 < invStart.length; i++) invStart[i + 1] += invStart[i];
            invSource = new int[n * symbols];
            int[] fill = Arrays.copyOf(invStart, invStart.length);
            for (int s = 0; s < n; s++) for (int a = 0; a < symbols; a++) invSource[fill[a * (n + 1) + delta[s * symbols + a]]++] = s;
            elems = new int[n];
            loc = new int[n];
            blockOf = new int[n];
            first = new int[16];
            end = new int[16];
            marked = new int[16];
            // initial blocks: accepting states, then the others (the sink among them)
            int i = 0;
            for (int pass = 0; pass < 2; pass++) {
                int from = i;
                for (int s = 0; s < n; s++) {
                    boolean acc = s < accepting.length && accepting[s];
                    if (acc == (pass == 0)) {
                        elems[i] = s;
                        loc[s] = i++;
                    }
                }
                if (i > from) newBlock(from, i);
            }
            queued = new boolean[Math.max(16, blocks) * symbols];
            for (int b = 0; b < blocks; b++) for (int a = 0; a < symbols; a++) enqueue(b, a);
        }

        private int newBlock(int from, int to) {
            if (blocks == first.length) {
                first = Arrays.copyOf(first, blocks * 2);
                end = Arrays.copyOf(end, blocks * 2);
                marked = Arrays.copyOf(marked, blocks * 2);
            }
            int b = blocks++;
            first[b] = from;
            end[b] = to;
            marked[b] = 0;
            for (int i = from; i < to; i++) blockOf[elems[i]] = b;
            return b;
        }

        private void enqueue(int b, int a) {
            if ((long) (b + 1) * symbols > queued.length) queued = Arrays.copyOf(queued, Math.max(queued.length * 2, (b + 1) * symbols));
            if (queued[b * symbols + a]) return;
            queued[b * symbols + a] = true;
            queue.add(b);
            queue.add(a);
        }

        private void mark(int s) {
            int b = blockOf[s];
            int i = loc[s], j = first[b] + marked[b];
            if (i < j) return; // already marked
            int other = elems[j];
            elems[j] = s;
            loc[s] = j;
            elems[i] = other;
            loc[other] = i;
            if (marked[b]++ == 0) touched.add(b);
        }

        int[] run() {
            int[] members = new int[n];
            while (queue.size() > 0) {
                int a = queue.get(queue.size() - 1);
                int splitter = queue.get(queue.size() - 2);
                queue.truncate(queue.size() - 2);
                queued[splitter * symbols + a] = false;
                int count = 0;
                for (int i = first[splitter]; i < end[splitter]; i++) members[count++] = elems[i];
                for (int m = 0; m < count; m++) {
                    int t = members[m];
                    for (int i = invStart[a * (n + 1) + t], e = invStart[a * (n + 1) + t + 1]; i < e; i++) mark(invSource[i]);
                }
                for (int ti = 0; ti < touched.size(); ti++) {
                    int y = touched.get(ti);
                    int size = end[y] - first[y];
                    if (marked[y] == size) {
                        marked[y] = 0;
                        continue;
                    }
                    int split = first[y] + marked[y];
                    marked[y] = 0;
                    int z = newBlock(first[y], split); // the marked part
                    first[y] = split;
                    for (int c = 0; c < symbols; c++) {
                        if (queued[y * symbols + c]) {
                            enqueue(z, c);
                        } else {
                            enqueue(end[z] - first[z] <= end[y] - first[y] ? z : y, c);
                        }
                    }
                }
                touched.clear();
            }
            return blockOf;
        }
    }

    /** States from which an accepting state is reachable: a breadth-first search back from the accepting ones. */
    static boolean[] liveStates(RuleDfa d) {
        int n = d.states, k = d.classes;
        int[] count = new int[n + 1];
        for (int s = 0; s < n; s++) {
            for (int c = 0; c < k; c++) if (d.next[s * k + c] >= 0) count[d.next[s * k + c] + 1]++;
            for (int e = d.callOffset[s]; e < d.callOffset[s + 1]; e++) count[d.callTarget[e] + 1]++;
        }
        for (int t = 0; t < n; t++) count[t + 1] += count[t];
        int[] fill = Arrays.copyOf(count, n);
        int[] sources = new int[count[n]];
        for (int s = 0; s < n; s++) {
            for (int c = 0; c < k; c++) if (d.next[s * k + c] >= 0) sources[fill[d.next[s * k + c]]++] = s;
            for (int e = d.callOffset[s]; e < d.callOffset[s + 1]; e++) sources[fill[d.callTarget[e]]++] = s;
        }
        boolean[] live = new boolean[n];
        int[] queue = new int[n];
        int head = 0, tail = 0;
        for (int s = 0; s < n; s++) {
            if (d.accepting[s]) {
                live[s] = true;
                queue[tail++] = s;
            }
        }
        while (head < tail) {
            int t = queue[head++];
            for (int i = count[t]; i < count[t + 1]; i++) {
                int s = sources[i];
                if (!live[s]) {
                    live[s] = true;
                    queue[tail++] = s;
                }
            }
        }
        return live;
    }

    /** Keeps the states from which an accepting state is reachable (over bytes or calls); the start is kept as state 0 if live. */
    static RuleDfa withoutDeadStates(RuleDfa d) {
        int n = d.states, k = d.classes;
        boolean[] live = liveStates(d);
        if (n == 0 || !live[0]) return new RuleDfa(0, k, new int[0], new boolean[0], new int[] {0}, new int[0], new int[0]);
        int[] map = new int[n];
        int m = 0;
        for (int s = 0; s < n; s++) map[s] = live[s] ? m++ : -1;
        int[] nn = new int[m * k];
        boolean[] acc = new boolean[m];
        IntBuffer callOffset = new IntBuffer(), callRule = new IntBuffer(), callTarget = new IntBuffer();
        for (int s = 0; s < n; s++) {
            if (map[s] < 0) continue;
            acc[map[s]] = d.accepting[s];
            for (int c = 0; c < k; c++) {
                int t = d.next[s * k + c];
                nn[map[s] * k + c] = t >= 0 ? map[t] : -1;
            }
            callOffset.add(callRule.size());
            for (int e = d.callOffset[s]; e < d.callOffset[s + 1]; e++) {
                if (map[d.callTarget[e]] < 0) continue;
                callRule.add(d.callRule[e]);
                callTarget.add(map[d.callTarget[e]]);
            }
        }
        callOffset.add(callRule.size());
        return new RuleDfa(m, k, nn, acc, callOffset.toArray(), callRule.toArray(), callTarget.toArray());
    }
}
