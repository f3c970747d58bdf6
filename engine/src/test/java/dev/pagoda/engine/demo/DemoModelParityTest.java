package dev.pagoda.engine.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pagoda.catalog.demo.DemoModels;
import dev.pagoda.catalog.safetensors.HfWeightSource;
import dev.pagoda.catalog.tokenizer.Tokenizer;
import dev.pagoda.catalog.tokenizer.Tokenizers;
import dev.pagoda.engine.cpu.Parallel;
import dev.pagoda.engine.eval.Perplexity;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Pagoda's fp32 CPU log-probabilities on the shipped demo models equal transformers' (float32,
 * CPU), within 1e-3 at every position of four texts (prose, a fortune with tabs, punctuation
 * and accents, a chat turn). The reference numbers are the fixture
 * {@code transformers-logprobs.json}, written by {@code models/demo/recipe/reference_logprobs.py}:
 * per position the 8 most likely tokens and 32 probe ids spread over the vocabulary. The token ids
 * are transformers' too, so Pagoda's tokenizer is checked on the way.
 */
class DemoModelParityTest {

    private static final double TOLERANCE = 1e-3;

    @ParameterizedTest
    @ValueSource(strings = {DemoModels.MAIN, DemoModels.DRAFT})
    void logprobsEqualTransformers(String name) throws IOException {
        JsonNode fixture = readFixture();
        JsonNode probes = fixture.get("probe_ids");
        Path folder = DemoModels.MAIN.equals(name) ? DemoModels.main() : DemoModels.draft();
        Tokenizer tokenizer = Tokenizers.load(folder);
        double worst = 0;
        int positions = 0;
        try (HfWeightSource weights = HfWeightSource.open(folder);
             Parallel parallel = new Parallel(2);
             Perplexity scorer = new Perplexity(weights, parallel, 128)) {
            for (JsonNode seq : fixture.get("models").get(name).get("sequences")) {
                String text = seq.get("text").asText();
                int[] expectedIds = ints(seq.get("ids"));
                // a rendered chat already starts with the template's BOS
                assertArrayEquals(expectedIds, tokenizer.encode(text, !seq.get("chat").asBoolean()), "token ids of " + text);
                float[][] logits = scorer.logits(expectedIds);
                for (int p = 0; p < expectedIds.length; p++) {
                    double[] ours = Perplexity.logSoftmax(logits[p]);
                    JsonNode top = seq.get("top").get(p);
                    for (JsonNode entry : top) {
                        double delta = Math.abs(ours[entry.get(0).asInt()] - entry.get(1).asDouble());
                        worst = Math.max(worst, delta);
                        assertTrue(delta <= TOLERANCE, name + " '" + text + "' position " + p + " token " + entry.get(0) + ": Δ " + delta);
                    }
                    JsonNode row = seq.get("probes").get(p);
                    for (int k = 0; k < probes.size(); k++) {
                        double delta = Math.abs(ours[probes.get(k).asInt()] - row.get(k).asDouble());
                        worst = Math.max(worst, delta);
                        assertTrue(delta <= TOLERANCE, name + " position " + p + " probe " + probes.get(k) + ": Δ " + delta);
                    }
                    // transformers' most likely token is ours too, unless the two best are tied within the tolerance
                    boolean clear = top.get(0).get(1).asDouble() - top.get(1).get(1).asDouble() > TOLERANCE;
                    if (clear) assertEquals(top.get(0).get(0).asInt(), argmax(ours), name + " position " + p + " of '" + text + "'");
                    positions++;
                }
            }
        }
        System.out.printf("%s: %d positions, max |Δ logprob| vs transformers float32 = %.2e%n", name, positions, worst);
    }

    private static JsonNode readFixture() throws IOException {
        try (InputStream in = DemoModelParityTest.class.getResourceAsStream("transformers-logprobs.json")) {
            if (in == null) throw new IllegalStateException("fixture transformers-logprobs.json missing");
            return new ObjectMapper().readTree(in);
        }
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
        return out;
    }

    private static int argmax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
