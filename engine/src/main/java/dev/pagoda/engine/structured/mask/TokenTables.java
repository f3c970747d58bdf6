package dev.pagoda.engine.structured.mask;

import dev.pagoda.engine.structured.automaton.Automaton;
import dev.pagoda.engine.structured.automaton.StackPool;
import dev.pagoda.engine.structured.automaton.Stepper;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * The precomputed, stack-independent part of every token mask (xgrammar's adaptive token mask
 * cache): for each automaton state that reads bytes, the tokens accepted from it while its rule
 * has not ended (whatever the stack below holds), and the trie nodes where its rule may end with
 * bytes of a token still to come — the only tokens whose fate depends on the caller, checked
 * against the real stack at run time. Tokens neither accepted nor below such a node are
 * rejected in every context. A rule that was inlined is part of its caller's automaton, so
 * crossing its end costs nothing here; only the ends of kept (recursive) rules are uncertain,
 * and only for a next byte that some caller accepts ({@link Automaton#canFollow}).
 *
 * <p>Accepted sets are stored as token ids where few, as a bitmask over the vocabulary where many.
 */
public final class TokenTables {

    private final int words;
    private final long[][] acceptedBits; // (states) bitmask, or null
    private final int[][] acceptedIds;   // (states) ids, or null
    private final int[][] escapes;       // (states) trie nodes to check against the stack
    private final long acceptedEntries;
    private final long escapeEntries;
    private final long bytes;
    private final int walks;

    private TokenTables(int words, long[][] acceptedBits, int[][] acceptedIds, int[][] escapes, int walks) {
        this.words = words;
        this.walks = walks;
        this.acceptedBits = acceptedBits;
        this.acceptedIds = acceptedIds;
        this.escapes = escapes;
        long a = 0, e = 0, b = 0;
        java.util.Set<Object> counted = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (int s = 0; s < escapes.length; s++) {
            a += acceptedIds[s] != null ? acceptedIds[s].length : acceptedBits[s] != null ? words * 2L : 0;
            e += escapes[s] != null ? escapes[s].length : 0;
            // shared tables (equivalent states) are held once
            if (acceptedIds[s] != null && counted.add(acceptedIds[s])) b += 16 + 4L * acceptedIds[s].length;
            if (acceptedBits[s] != null && counted.add(acceptedBits[s])) b += 16 + 8L * acceptedBits[s].length;
            if (escapes[s] != null && counted.add(escapes[s])) b += 16 + 4L * escapes[s].length;
        }
        this.acceptedEntries = a;
        this.escapeEntries = e;
        this.bytes = b + 24L * escapes.length;
    }

    /**
     * Computes the tables of every state of {@code a}, on up to {@code threads} threads; states
     * no token can tell apart ({@link TokenEquivalence}) share one.
     */
    public static TokenTables build(Automaton a, TokenTrie trie, int vocabSize, int threads) {
        int words = Math.ceilDiv(vocabSize, 64);
        int n = a.states();
        long[][] bits = new long[n][];
        int[][] ids = new int[n][];
        int[][] escapes = new int[n][];
        int[] classOf = TokenEquivalence.classes(a, trie.maxDepth() + 1);
        int[] representative = new int[n];
        java.util.Arrays.fill(representative, -1);
        int[] walked = new int[n]; // the states whose tables are computed: one per class
        int walks = 0;
        for (int s = 0; s < n; s++) {
            if ((a.flags(s) & Automaton.READS) == 0) continue;
            if (representative[classOf[s]] < 0) {
                representative[classOf[s]] = s;
                walked[walks++] = s;
            }
        }
        int toWalk = walks;
        AtomicInteger nextState = new AtomicInteger();
        IntStream.range(0, Math.max(1, Math.min(threads, toWalk))).parallel().forEach(worker -> {
            StackPool pool = new StackPool();
            TrieWalker walker = new TrieWalker(trie, new Stepper(a, pool));
            long[] scratch = new long[words];
            TrieWalker.IntList esc = new TrieWalker.IntList();
            for (int job; (job = nextState.getAndIncrement()) < toWalk; ) {
                int s = walked[job];
                java.util.Arrays.fill(scratch, 0);
                esc.size = 0;
                walker.walkFrom(s, scratch, esc);
                int count = 0;
                for (long w : scratch) count += Long.bitCount(w);
                if (count < 2 * words) {
                    int[] list = new int[count];
                    int k = 0;
                    for (int w = 0; w < words; w++) {
                        for (long x = scratch[w]; x != 0; x &= x - 1) list[k++] = w * 64 + Long.numberOfTrailingZeros(x);
                    }
                    ids[s] = list;
                } else {
                    bits[s] = scratch.clone();
                }
                escapes[s] = esc.size == 0 ? null : esc.toArray();
            }
        });
        for (int s = 0; s < n; s++) {
            int r = representative[classOf[s]];
            if (r < 0 || r == s) continue;
            bits[s] = bits[r];
            ids[s] = ids[r];
            escapes[s] = escapes[r];
        }
        return new TokenTables(words, bits, ids, escapes, walks);
    }

    /** ORs the tokens accepted from state {@code s} into {@code mask}. */
    void orAccepted(int s, long[] mask) {
        long[] bits = acceptedBits[s];
        if (bits != null) {
            for (int w = 0; w < words; w++) mask[w] |= bits[w];
            return;
        }
        int[] ids = acceptedIds[s];
        if (ids != null) for (int id : ids) mask[id >>> 6] |= 1L << id;
    }

    /** Trie nodes below which state {@code s}'s tokens depend on the stack; null for none. */
    int[] escapes(int s) {
        return escapes[s];
    }

    /** Entries stored (ids, or two per bitmask word), for size reports. */
    public long acceptedEntries() {
        return acceptedEntries;
    }

    /** Heap the tables hold, roughly (arrays shared by equivalent states counted once). */
    public long bytes() {
        return bytes;
    }

    /** Tables computed (one per class of equivalent states). */
    public int walks() {
        return walks;
    }

    /** Stack-dependent trie nodes over all states. */
    public long escapeEntries() {
        return escapeEntries;
    }
}
