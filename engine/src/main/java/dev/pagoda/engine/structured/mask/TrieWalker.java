package dev.pagoda.engine.structured.mask;

import dev.pagoda.engine.structured.automaton.Automaton;
import dev.pagoda.engine.structured.automaton.ConfigSet;
import dev.pagoda.engine.structured.automaton.StackPool;
import dev.pagoda.engine.structured.automaton.Stepper;
import java.util.Arrays;

/**
 * Walks a subtree of the {@link TokenTrie} with a configuration set: each node's set is its
 * parent's stepped over the node's byte, a node whose set is dead skips its whole subtree, and
 * the tokens ending at a live node are set in a bitmask. Stack nodes pushed during the walk are
 * released as it backtracks. Not thread-safe: one per thread.
 */
final class TrieWalker {

    private final TokenTrie trie;
    private final Automaton a;
    private final Stepper stepper;
    private final StackPool pool;
    private final ConfigSet[] sets;   // (maxDepth + 1) the set after each depth of the current path
    private final int[] marks;        // (maxDepth + 2) pool mark before computing the set at each depth
    private final int[] path;         // (maxDepth + 1) the DFA state after each depth while no call is on the path
    private final ConfigSet callSet = new ConfigSet();

    TrieWalker(TokenTrie trie, Stepper stepper) {
        this.trie = trie;
        this.a = stepper.automaton();
        this.stepper = stepper;
        this.pool = stepper.pool();
        this.sets = new ConfigSet[trie.maxDepth() + 1];
        for (int i = 0; i < sets.length; i++) sets[i] = new ConfigSet();
        this.marks = new int[trie.maxDepth() + 2];
        this.path = new int[trie.maxDepth() + 1];
    }

    /**
     * The precomputation's walk from state {@code s}: {@link #walk} from
     * {@code ConfigSet.single(s, EMPTY)}, with the rule's end as the escape. While the path stays
     * on states that call no rule it is one DFA state per depth, no configuration sets; below a
     * state that calls, that subtree is walked with sets.
     */
    void walkFrom(int s, long[] accepted, IntList escapes) {
        int rule = a.ruleOf(s);
        // the trie's and the automaton's arrays in locals: this loop visits up to every trie node
        byte[] label = trie.label;
        int[] depth = trie.depth, subtreeEnd = trie.end, tokenStart = trie.tokenStart, tokenIds = trie.tokenIds;
        int[] next = a.transitions(), classOf = a.byteClasses();
        int classes = a.classes();
        int[] path = this.path;
        path[0] = s;
        int i = 1, end = trie.nodes();
        while (i < end) {
            int d = depth[i];
            int t = next[path[d - 1] * classes + classOf[label[i] & 0xFF]];
            if (t < 0) {
                i = subtreeEnd[i];
                continue;
            }
            path[d] = t;
            for (int k = tokenStart[i], ke = tokenStart[i + 1]; k < ke; k++) {
                int id = tokenIds[k];
                accepted[id >>> 6] |= 1L << id;
            }
            int f = a.flags(t);
            if (f == Automaton.READS) {
                i++;
                continue;
            }
            if ((f & Automaton.ACCEPTS) != 0) {
                for (int c = i + 1, ce = subtreeEnd[i]; c < ce; c = subtreeEnd[c]) {
                    if (a.canFollow(rule, label[c] & 0xFF)) escapes.add(c);
                }
            }
            if ((f & Automaton.CALLS) != 0) {
                int mark = pool.mark();
                stepper.expand(t, StackPool.EMPTY, callSet);
                if (callSet.size() > 0) walk(i + 1, subtreeEnd[i], d, callSet, accepted, escapes, rule);
                pool.release(mark);
                i = subtreeEnd[i];
                continue;
            }
            i = (f & Automaton.READS) != 0 ? i + 1 : subtreeEnd[i];
        }
    }

    /**
     * Walks nodes {@code [first, end)}, all below one node at {@code parentDepth} whose set is
     * {@code parent}. Sets in {@code accepted} every token that ends at a live node. With
     * {@code escapes} not null, {@code atBottom} means the walk's starting rule ended (the
     * precomputation's unknown caller takes over): the children of such a node whose byte may
     * follow {@code rule} are added to {@code escapes}, to be checked against the real stack.
     */
    void walk(int first, int end, int parentDepth, ConfigSet parent, long[] accepted, IntList escapes, int rule) {
        int mark = pool.mark();
        sets[parentDepth].copyFrom(parent);
        marks[parentDepth + 1] = pool.mark();
        int i = first;
        while (i < end) {
            int d = trie.depth(i);
            pool.release(marks[d]);
            ConfigSet cur = sets[d];
            stepper.step(sets[d - 1], trie.label(i), cur);
            if (cur.isDead()) {
                i = trie.end(i);
                continue;
            }
            for (int t = trie.tokensFrom(i), te = trie.tokensEnd(i); t < te; t++) {
                int id = trie.tokenId(t);
                accepted[id >>> 6] |= 1L << id;
            }
            if (escapes != null && cur.atBottom()) {
                for (int c = i + 1, ce = trie.end(i); c < ce; c = trie.end(c)) {
                    if (a.canFollow(rule, trie.label(c))) escapes.add(c);
                }
            }
            if (cur.size() == 0) {
                i = trie.end(i);
                continue;
            }
            marks[d + 1] = pool.mark();
            i++;
        }
        pool.release(mark);
    }

    /** A growable int list. */
    static final class IntList {
        int[] values = new int[16];
        int size;

        void add(int v) {
            if (size == values.length) values = Arrays.copyOf(values, size * 2);
            values[size++] = v;
        }

        int[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
