package dev.pagoda.engine.structured.automaton;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * DFA minimisation by Moore's partition refinement: states start split by whether they accept and
 * are split further by the blocks their transitions (byte classes and calls alike) lead to, until
 * nothing splits. Then states from which no accepting state is reachable are dropped. Fewer states
 * mean fewer token-mask tables to precompute.
 */
final class Minimizer {

    private Minimizer() {}

    static RuleDfa minimize(RuleDfa d) {
        RuleDfa live = withoutDeadStates(d);
        if (live.states == 0) return live;
        int n = live.states;
        int[] block = new int[n];
        for (int s = 0; s < n; s++) block[s] = live.accepting[s] ? 1 : 0;
        int blocks = -1;
        while (true) {
            Map<IntKey, Integer> ids = new HashMap<>();
            int[] next = new int[n];
            for (int s = 0; s < n; s++) {
                int calls = live.callOffset[s + 1] - live.callOffset[s];
                int[] sig = new int[1 + live.classes + 2 * calls];
                sig[0] = block[s];
                for (int c = 0; c < live.classes; c++) {
                    int t = live.next[s * live.classes + c];
                    sig[1 + c] = t < 0 ? -1 : block[t];
                }
                for (int j = 0; j < calls; j++) {
                    int e = live.callOffset[s] + j;
                    sig[1 + live.classes + 2 * j] = live.callRule[e];
                    sig[2 + live.classes + 2 * j] = block[live.callTarget[e]];
                }
                next[s] = ids.computeIfAbsent(new IntKey(sig), k -> ids.size());
            }
            block = next;
            if (ids.size() == blocks) break;
            blocks = ids.size();
        }
        // renumber so the start's block is 0 and the rest follow first appearance
        int[] order = new int[blocks];
        Arrays.fill(order, -1);
        int m = 0;
        order[block[0]] = m++;
        for (int s = 0; s < n; s++) if (order[block[s]] < 0) order[block[s]] = m++;
        int[] representative = new int[blocks];
        for (int s = n - 1; s >= 0; s--) representative[order[block[s]]] = s;
        int k = live.classes;
        int[] nn = new int[blocks * k];
        boolean[] acc = new boolean[blocks];
        IntBuffer callOffset = new IntBuffer(), callRule = new IntBuffer(), callTarget = new IntBuffer();
        for (int b = 0; b < blocks; b++) {
            int s = representative[b];
            acc[b] = live.accepting[s];
            for (int c = 0; c < k; c++) {
                int t = live.next[s * k + c];
                nn[b * k + c] = t < 0 ? -1 : order[block[t]];
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
