package dev.pagoda.engine.structured.automaton;

import java.util.Arrays;

/**
 * Where a match can be after some input: configurations (state, stack node) whose states read
 * bytes, and whether the stack can be empty with the root accepting ({@link #atBottom}: the
 * output may end here). In a precomputation that starts inside one rule, the bottom is that
 * rule's unknown caller, and {@code atBottom} means "the rule may end here".
 */
public final class ConfigSet {

    int size;
    int[] states = new int[8];
    int[] nodes = new int[8];
    boolean atBottom;

    public int size() {
        return size;
    }

    public int state(int i) {
        return states[i];
    }

    public int node(int i) {
        return nodes[i];
    }

    public boolean atBottom() {
        return atBottom;
    }

    /** Nothing can follow: no configuration reads, and the end is not reachable. */
    public boolean isDead() {
        return size == 0 && !atBottom;
    }

    void clear() {
        size = 0;
        atBottom = false;
    }

    void add(int state, int node) {
        if (size == states.length) {
            states = Arrays.copyOf(states, size * 2);
            nodes = Arrays.copyOf(nodes, size * 2);
        }
        states[size] = state;
        nodes[size] = node;
        size++;
    }

    public void copyFrom(ConfigSet o) {
        if (states.length < o.size) {
            states = new int[o.states.length];
            nodes = new int[o.states.length];
        }
        System.arraycopy(o.states, 0, states, 0, o.size);
        System.arraycopy(o.nodes, 0, nodes, 0, o.size);
        size = o.size;
        atBottom = o.atBottom;
    }

    /** A set of one configuration, not expanded: the seed of a walk that starts at {@code state}. */
    public static ConfigSet single(int state, int node) {
        ConfigSet c = new ConfigSet();
        c.add(state, node);
        return c;
    }
}
