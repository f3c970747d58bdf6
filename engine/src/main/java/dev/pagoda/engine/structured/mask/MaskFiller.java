package dev.pagoda.engine.structured.mask;

import dev.pagoda.engine.structured.automaton.ConfigSet;
import dev.pagoda.engine.structured.automaton.StackPool;
import dev.pagoda.engine.structured.automaton.Stepper;
import java.util.Arrays;

/**
 * One matcher's token mask: the union over its configurations of each state's precomputed
 * accepted tokens ({@link TokenTables}), plus, where a state's rule may end inside a token, the
 * tokens below those trie nodes that the real stack accepts — found by walking just those
 * subtrees from the configuration the stack pops to. Only this last part costs per mask; for a
 * grammar without recursion it is empty and a mask is a copy.
 */
public final class MaskFiller {

    private final TokenTables tables;
    private final TokenTrie trie;
    private final Stepper stepper;
    private final TrieWalker walker;
    private final ConfigSet popped = new ConfigSet();

    /** @param stepper the matcher's own (its stack pool holds the configurations' stacks) */
    public MaskFiller(TokenTables tables, TokenTrie trie, Stepper stepper) {
        this.tables = tables;
        this.trie = trie;
        this.stepper = stepper;
        this.walker = new TrieWalker(trie, stepper);
    }

    /** Sets in {@code mask} (cleared first) every token whose bytes can come next; end tokens are the caller's. */
    public void fill(ConfigSet current, long[] mask) {
        Arrays.fill(mask, 0);
        for (int i = 0; i < current.size(); i++) tables.orAccepted(current.state(i), mask);
        StackPool pool = stepper.pool();
        int mark = pool.mark();
        int poppedFor = -1;
        for (int i = 0; i < current.size(); i++) {
            int[] escapes = tables.escapes(current.state(i));
            if (escapes == null) continue;
            int node = current.node(i);
            if (node != poppedFor) {
                stepper.pop(node, popped);
                poppedFor = node;
            }
            if (popped.size() == 0) continue; // popping ends the output: nothing may follow
            for (int c : escapes) walker.walk(c, trie.end(c), trie.depth(c) - 1, popped, mask, null, -1);
        }
        pool.release(mark);
    }
}
