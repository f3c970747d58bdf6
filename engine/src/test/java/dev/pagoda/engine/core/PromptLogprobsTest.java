package dev.pagoda.engine.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.catalog.config.HfConfigReader;
import dev.pagoda.catalog.testing.TestModels;
import dev.pagoda.engine.api.RequestStream;
import dev.pagoda.engine.api.StreamEvent;
import dev.pagoda.engine.api.TokenLogprobs;
import dev.pagoda.engine.sample.SamplingParams;
import dev.pagoda.engine.testing.FixtureWeights;
import dev.pagoda.engine.testing.ReferenceLlama;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * vLLM's prompt_logprobs on the CPU runner: every prompt token after the first gets the
 * log-softmax of the model's logits at the position before it, checked against an independent
 * double-precision forward pass ({@link ReferenceLlama}) — through chunked prefill, a prefix cache
 * that already holds the prompt (it must be bypassed), a logit-row budget smaller than a chunk, and n > 1.
 */
class PromptLogprobsTest {

    private static final int TOP = 3;

    @Test
    void promptLogprobsMatchAnIndependentLogSoftmax(@TempDir Path tmp) throws Exception {
        Path folder = EngineHarness.writeFixture(tmp);
        int vocab = TestModels.tokenizer().size();
        ReferenceLlama reference = new ReferenceLlama(new FixtureWeights(TestModels.llama(), HfConfigReader.readFolder(folder)));
        // 16 tokens a step and 4 sequences a step: the 45-token prompt is chunked, each chunk capped by logit rows
        EngineConfig config = EngineHarness.config(folder).maxNumBatchedTokens(16).maxNumSeqs(4).build();
        try (LocalEngine engine = EngineHarness.start(config)) {
            for (int seed = 0; seed < 2; seed++) {
                int[] prompt = new Random(seed).ints(45, 0, vocab).toArray();
                double[][] logSoftmax = logSoftmax(reference.logits(prompt));

                // the prompt goes into the prefix cache first: the prompt-logprobs request must not use it
                EngineHarness.collect(engine.submit(EngineHarness.request("primer-" + seed, prompt,
                        EngineHarness.greedy(2))), 1);
                var again = EngineHarness.collect(engine.submit(EngineHarness.request("again-" + seed, prompt,
                        EngineHarness.greedy(2))), 1);
                assertTrue(again.last().usage().cachedTokens() > 0, "the prompt is cached: " + again.last().usage());

                int n = seed == 1 ? 2 : 1;
                SamplingParams params = EngineHarness.greedy(3).toBuilder().n(n).promptLogprobs(TOP).build();
                RequestStream stream = engine.submit(EngineHarness.request("scored-" + seed, prompt, params));
                List<TokenLogprobs> scored = new ArrayList<>();
                StreamEvent e;
                int eventsWithThem = 0;
                while ((e = stream.poll(Duration.ofMinutes(1))) != null) {
                    if (!e.promptLogprobs().isEmpty()) eventsWithThem++;
                    scored.addAll(e.promptLogprobs());
                    if (e.finished()) {
                        assertEquals(0, e.usage().cachedTokens(), "no prefix-cache hit for prompt logprobs (seed " + seed + ")");
                        assertEquals(3 * n, e.usage().completionTokens());
                        break;
                    }
                }
                assertEquals(1, eventsWithThem, "prompt logprobs come once, whatever n (seed " + seed + ")");
                assertEquals(prompt.length - 1, scored.size(), "one per prompt token after the first (seed " + seed + ")");
                for (int pos = 1; pos < prompt.length; pos++) {
                    double[] row = logSoftmax[pos - 1];
                    TokenLogprobs lp = scored.get(pos - 1);
                    String where = "seed " + seed + ", position " + pos;
                    assertEquals(row[prompt[pos]], lp.logprob(), 2e-4, where);
                    int[] best = IntStream.range(0, vocab).boxed().sorted(Comparator.comparingDouble(v -> -row[v]))
                            .limit(TOP).mapToInt(Integer::intValue).toArray();
                    assertEquals(TOP, lp.topTokenIds().length, where);
                    for (int k = 0; k < TOP; k++) {
                        assertEquals(row[best[k]], lp.topLogprobs()[k], 2e-4, where + ", rank " + (k + 1));
                        assertEquals(row[best[k]], row[lp.topTokenIds()[k]], 2e-4, where + ": the id at rank " + (k + 1));
                    }
                }
            }
        }
    }

    private static double[][] logSoftmax(double[][] logits) {
        double[][] out = new double[logits.length][];
        for (int p = 0; p < logits.length; p++) {
            double max = Arrays.stream(logits[p]).max().orElseThrow();
            double sum = 0;
            for (double x : logits[p]) sum += Math.exp(x - max);
            double log = max + Math.log(sum);
            out[p] = Arrays.stream(logits[p]).map(x -> x - log).toArray();
        }
        return out;
    }
}
