package dev.pagoda.engine.structured.automaton;

import java.util.Arrays;

/** An int array as a hash key: a DFA state of the subset construction (a sorted set of NFA states), a refinement signature. */
public record IntKey(int[] values) {
    @Override
    public boolean equals(Object o) {
        return o instanceof IntKey k && Arrays.equals(values, k.values);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values);
    }
}
