package dev.pagoda.engine.structured.mask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.engine.structured.CompiledGrammar;
import dev.pagoda.engine.structured.GrammarMatcher;
import dev.pagoda.engine.structured.Vocabularies;
import dev.pagoda.engine.structured.grammar.Grammar;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link GrammarMatcher#rollback}: after taking back n tokens (end tokens included) the matcher is
 * the one that only ever saw the rest — same mask, same end state — for random outputs with
 * random take-backs, on every grammar of {@link TokenMaskTest}.
 */
class RollbackTest {

    @Test
    void aRolledBackMatcherEqualsOneThatNeverSawTheTokens() {
        Vocabularies.Loaded v = Vocabularies.synthetic();
        int checks = 0;
        for (Map.Entry<String, Grammar> e : TokenMaskTest.grammars().entrySet()) {
            CompiledGrammar g = v.compile(e.getValue());
            Random r = new Random(e.getKey().hashCode());
            GrammarMatcher m = g.newMatcher();
            List<Integer> kept = new ArrayList<>();
            long[] mask = new long[m.maskWords()], fresh = new long[m.maskWords()];
            for (int step = 0; step < 120; step++) {
                if (!kept.isEmpty() && r.nextInt(4) == 0) {
                    int n = 1 + r.nextInt(Math.min(kept.size(), 6));
                    m.rollback(n);
                    kept.subList(kept.size() - n, kept.size()).clear();
                    GrammarMatcher replay = g.newMatcher();
                    for (int t : kept) assertTrue(replay.accept(t), e.getKey() + ": replaying an accepted prefix");
                    m.fillMask(mask);
                    replay.fillMask(fresh);
                    assertArrayEquals(fresh, mask, e.getKey() + " after rolling back " + n + " to " + kept.size() + " tokens");
                    assertEquals(replay.isTerminated(), m.isTerminated());
                    assertEquals(replay.canEnd(), m.canEnd());
                    assertEquals(kept.size(), m.acceptedTokens());
                    checks++;
                    continue;
                }
                m.fillMask(mask);
                List<Integer> allowed = new ArrayList<>();
                for (int id = 0; id < g.vocabulary().size(); id++) if ((mask[id >>> 6] & (1L << id)) != 0) allowed.add(id);
                if (allowed.isEmpty()) break;
                int t = allowed.get(r.nextInt(allowed.size()));
                assertTrue(m.accept(t));
                kept.add(t);
            }
        }
        assertTrue(checks > 50, checks + " rollbacks checked");
    }
}
