package dev.pagoda.engine.structured.automaton;

import dev.pagoda.engine.structured.grammar.GrammarException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The subset construction: a rule's {@link Nfa} (start 0, accept 1) into a {@link RuleDfa} over byte classes and calls. */
final class Determinizer {

    /** Most DFA states one rule may take. */
    static final int MAX_STATES = 200_000;

    private Determinizer() {}

    static RuleDfa determinize(Nfa nfa, ByteClasses classes) {
        int k = classes.count;
        Closure closure = new Closure(nfa);
        Map<IntKey, Integer> ids = new HashMap<>();
        List<int[]> sets = new ArrayList<>();
        int[] start = closure.epsilon(new int[] {0});
        ids.put(new IntKey(start), 0);
        sets.add(start);
        IntBuffer next = new IntBuffer();
        List<Boolean> accepting = new ArrayList<>();
        IntBuffer callOffset = new IntBuffer();
        IntBuffer callRule = new IntBuffer();
        IntBuffer callTarget = new IntBuffer();
        IntBuffer[] byClass = new IntBuffer[k];
        for (int c = 0; c < k; c++) byClass[c] = new IntBuffer();
        for (int i = 0; i < sets.size(); i++) {
            int[] set = sets.get(i);
            accepting.add(Arrays.binarySearch(set, 1) >= 0);
            for (IntBuffer b : byClass) b.clear();
            TreeMap<Integer, IntBuffer> byCall = new TreeMap<>();
            for (int s : set) {
                for (int j = nfa.outStart(s), end = nfa.outStart(s + 1); j < end; j++) {
                    int e = nfa.outgoing(j);
                    int lo = nfa.edgeLo(e);
                    if (lo == Nfa.EPSILON) continue;
                    if (lo == Nfa.CALL) {
                        byCall.computeIfAbsent(nfa.edgeHi(e), r -> new IntBuffer()).add(nfa.edgeTo(e));
                        continue;
                    }
                    for (int c = classes.classOf[lo], last = classes.classOf[nfa.edgeHi(e)]; c <= last; c++) byClass[c].add(nfa.edgeTo(e));
                }
            }
            for (int c = 0; c < k; c++) next.add(byClass[c].size() == 0 ? -1 : id(closure, byClass[c], ids, sets));
            callOffset.add(callRule.size());
            for (Map.Entry<Integer, IntBuffer> call : byCall.entrySet()) {
                callRule.add(call.getKey());
                callTarget.add(id(closure, call.getValue(), ids, sets));
            }
        }
        callOffset.add(callRule.size());
        boolean[] acc = new boolean[accepting.size()];
        for (int i = 0; i < acc.length; i++) acc[i] = accepting.get(i);
        return new RuleDfa(sets.size(), k, next.toArray(), acc, callOffset.toArray(), callRule.toArray(), callTarget.toArray());
    }

    private static int id(Closure closure, IntBuffer moved, Map<IntKey, Integer> ids, List<int[]> sets) {
        IntKey key = new IntKey(closure.epsilon(moved.toArray()));
        Integer id = ids.get(key);
        if (id != null) return id;
        if (sets.size() >= MAX_STATES) {
            throw new GrammarException("the grammar is too large (more than " + MAX_STATES + " automaton states in one rule)");
        }
        ids.put(key, sets.size());
        sets.add(key.values());
        return sets.size() - 1;
    }
}
