package dev.pagoda.engine.structured.mask;

import static org.junit.jupiter.api.Assertions.fail;

import dev.pagoda.engine.structured.CompiledGrammar;
import dev.pagoda.engine.structured.GrammarMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The naive token mask: every vocabulary id tried on the matcher itself (accept, then roll
 * back), no trie, no precomputed tables; and a driver that compares it with
 * {@link GrammarMatcher#fillMask} at every state of random outputs chosen from the naive mask.
 */
public final class NaiveMaskCheck {

    private NaiveMaskCheck() {}

    public static long[] naiveMask(GrammarMatcher m) {
        int size = m.grammar().vocabulary().size();
        long[] mask = new long[m.maskWords()];
        for (int id = 0; id < size; id++) if (m.wouldAccept(id)) mask[id >>> 6] |= 1L << id;
        return mask;
    }

    /**
     * Walks {@code outputs} random outputs of up to {@code steps} tokens each; at every state
     * the fast mask must equal the naive one. Picks a token other than an end token while one is
     * allowed. Returns the number of states compared.
     */
    public static int compareAlongRandomOutputs(CompiledGrammar g, long seed, int outputs, int steps, String what) {
        Random r = new Random(seed);
        int compared = 0;
        long[] fast = new long[g.vocabulary().maskWords()];
        for (int o = 0; o < outputs; o++) {
            GrammarMatcher m = g.newMatcher();
            for (int step = 0; step < steps && !m.isTerminated(); step++) {
                long[] naive = naiveMask(m);
                m.fillMask(fast);
                compared++;
                if (!java.util.Arrays.equals(naive, fast)) {
                    fail(what + " seed " + seed + " output " + o + " step " + step + ": mask differs from the naive one: "
                            + difference(naive, fast, g));
                }
                List<Integer> allowed = new ArrayList<>(), text = new ArrayList<>();
                for (int id = 0; id < g.vocabulary().size(); id++) {
                    if ((naive[id >>> 6] & (1L << id)) == 0) continue;
                    allowed.add(id);
                    if (!g.vocabulary().isEndToken(id)) text.add(id);
                }
                if (allowed.isEmpty()) break; // a dead end of this vocabulary (no token spells what must come)
                List<Integer> pool = text.isEmpty() || r.nextInt(20) == 0 ? allowed : text;
                if (!m.accept(pool.get(r.nextInt(pool.size())))) fail(what + ": a token of the naive mask was not accepted");
            }
        }
        return compared;
    }

    private static String difference(long[] naive, long[] fast, CompiledGrammar g) {
        StringBuilder s = new StringBuilder();
        int shown = 0;
        for (int id = 0; id < g.vocabulary().size() && shown < 10; id++) {
            boolean n = (naive[id >>> 6] & (1L << id)) != 0, f = (fast[id >>> 6] & (1L << id)) != 0;
            if (n == f) continue;
            byte[] b = g.vocabulary().bytes(id);
            s.append(n ? "missing " : "extra ").append(id).append(' ')
                    .append(b == null ? "(no bytes)" : "\"" + new String(b, java.nio.charset.StandardCharsets.UTF_8).replace("\n", "\\n") + "\"")
                    .append("; ");
            shown++;
        }
        return s.toString();
    }
}
