package dev.pagoda.engine.sample;

import java.util.Arrays;

/**
 * How often each token id occurred, kept sparse: penalties touch only the distinct tokens a
 * request has seen (hundreds), never a vocabulary-sized array per request (which at 150k ids ×
 * hundreds of running requests would be tens of MB rewritten every step). Open addressing with
 * linear probing; the distinct ids are also kept in insertion order for cheap iteration.
 */
final class TokenCounts {

    private static final int EMPTY = -1;

    private int[] slotIds;      // (capacity) token id, EMPTY when free; capacity a power of two
    private int[] slotCounts;   // (capacity) occurrences of slotIds[i]
    private int[] distinct;     // (size) distinct ids in first-seen order
    private int size;

    TokenCounts() {
        slotIds = new int[16];
        Arrays.fill(slotIds, EMPTY);
        slotCounts = new int[16];
        distinct = new int[8];
    }

    /** Counts one more occurrence of {@code id} (non-negative). */
    void add(int id) {
        int slot = find(id);
        if (slotIds[slot] == EMPTY) {
            if ((size + 1) * 2 > slotIds.length) {
                grow();
                slot = find(id);
            }
            slotIds[slot] = id;
            if (size == distinct.length) distinct = Arrays.copyOf(distinct, size * 2);
            distinct[size++] = id;
        }
        slotCounts[slot]++;
    }

    int count(int id) {
        int slot = find(id);
        return slotIds[slot] == EMPTY ? 0 : slotCounts[slot];
    }

    boolean contains(int id) {
        return slotIds[find(id)] != EMPTY;
    }

    /** Number of distinct ids. */
    int size() {
        return size;
    }

    /** The i-th distinct id, in first-seen order. */
    int idAt(int i) {
        return distinct[i];
    }

    private int find(int id) {
        int mask = slotIds.length - 1;
        int slot = mix(id) & mask;
        while (slotIds[slot] != EMPTY && slotIds[slot] != id) slot = (slot + 1) & mask;
        return slot;
    }

    private void grow() {
        int[] oldIds = slotIds, oldCounts = slotCounts;
        slotIds = new int[oldIds.length * 2];
        Arrays.fill(slotIds, EMPTY);
        slotCounts = new int[oldIds.length * 2];
        for (int i = 0; i < oldIds.length; i++) {
            if (oldIds[i] == EMPTY) continue;
            int slot = find(oldIds[i]);
            slotIds[slot] = oldIds[i];
            slotCounts[slot] = oldCounts[i];
        }
    }

    private static int mix(int id) {
        // Token ids are dense small integers; spread them so neighbouring ids don't cluster.
        int h = id * 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
