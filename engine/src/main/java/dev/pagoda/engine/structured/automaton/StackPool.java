package dev.pagoda.engine.structured.automaton;

import java.util.Arrays;

/**
 * Return stacks as persistent, hash-consed linked nodes: a node is (return state, parent node)
 * and equal stacks are the same node, so a set of configurations (state, stack node) has no
 * duplicates however the parses share their stacks (a graph-structured stack). Node 0 is the
 * empty stack. Nodes are undone last-in first-out: {@link #release} back to a {@link #mark}
 * drops every node made since, restoring the hash table exactly (with linear probing, removing
 * the latest insertions in reverse order leaves the table as it was), which is what rollback
 * and the speculative walks of mask computation need.
 */
public final class StackPool {

    public static final int EMPTY = 0;

    private int[] state = new int[256];  // (nodes) return state
    private int[] parent = new int[256]; // (nodes)
    private int[] slot = new int[256];   // (nodes) where the node sits in the table
    private int size = 1;
    private int[] table = new int[512];  // node ids, 0 = free slot
    private int mask = 511;

    /** The node for stack {@code (returnState, parent...)}, made if new. */
    public int push(int returnState, int parentNode) {
        int h = hash(returnState, parentNode) & mask;
        while (true) {
            int node = table[h];
            if (node == 0) break;
            if (state[node] == returnState && parent[node] == parentNode) return node;
            h = (h + 1) & mask;
        }
        if (size == state.length) {
            int n = size * 2;
            state = Arrays.copyOf(state, n);
            parent = Arrays.copyOf(parent, n);
            slot = Arrays.copyOf(slot, n);
        }
        int node = size++;
        state[node] = returnState;
        parent[node] = parentNode;
        table[h] = node;
        slot[node] = h;
        if (size * 2 > table.length) rehash();
        return node;
    }

    public int state(int node) {
        return state[node];
    }

    public int parent(int node) {
        return parent[node];
    }

    public int mark() {
        return size;
    }

    /** Drops every node made after {@code mark}. */
    public void release(int mark) {
        while (size > mark) {
            size--;
            table[slot[size]] = 0;
        }
    }

    private void rehash() {
        table = new int[table.length * 2];
        mask = table.length - 1;
        for (int node = 1; node < size; node++) {
            int h = hash(state[node], parent[node]) & mask;
            while (table[h] != 0) h = (h + 1) & mask;
            table[h] = node;
            slot[node] = h;
        }
    }

    private static int hash(int a, int b) {
        int h = a * 0x9E3779B1 + b * 0x85EBCA77;
        return h ^ (h >>> 15);
    }
}
