package dev.pagoda.engine.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.ModelParameters;
import de.kherud.llama.args.LogFormat;
import dev.pagoda.catalog.demo.DemoModels;
import dev.pagoda.catalog.gguf.GgufWeightSource;
import dev.pagoda.catalog.gguf.HfToGguf;
import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.catalog.tokenizer.Tokenizer;
import dev.pagoda.engine.api.GenerationRequest;
import dev.pagoda.engine.api.RequestStream;
import dev.pagoda.engine.api.SampleDelta;
import dev.pagoda.engine.api.StreamEvent;
import dev.pagoda.engine.core.EngineConfig;
import dev.pagoda.engine.core.LocalEngine;
import dev.pagoda.engine.cpu.Parallel;
import dev.pagoda.engine.eval.Perplexity;
import dev.pagoda.engine.sample.SamplingParams;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Pagoda's greedy continuation on the demo models' F32 GGUF (written by Pagoda's own
 * {@link HfToGguf}) equals llama.cpp's (de.kherud:llama, CPU) on the same file, prompt by prompt,
 * and both tokenize the prompts alike. Both run with EOS ignored for the length of Pagoda's chain
 * up to its first special token, so the texts compare without either side's end-of-turn rules
 * (special tokens have no text to compare). Where two next tokens are within {@value #NEAR_TIE}
 * in logits, fp32 sums in another order may pick either, so the texts must agree up to the first
 * such step (margins from Pagoda's own logits on the file) and fully where there is none. At least
 * {@value #MIN_COMPARED} tokens in all must be compared, so a model cannot pass by comparing nothing.
 */
class DemoModelLlamaCppTest {

    private static final int MAX_TOKENS = 32;
    private static final int MIN_COMPARED = 64;
    private static final double NEAR_TIE = 1e-3;
    private static final List<String> PROMPTS = List.of("In the beginning God created", "The Lord is my shepherd;",
            "A lantern is", "Once upon a time", "ABSURDITY, n.",
            "<|start_header_id|>user<|end_header_id|>\n\nWhat is a lantern?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n");

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {DemoModels.MAIN, DemoModels.DRAFT})
    void greedyTextEqualsLlamaCppOnTheF32Gguf(String name) throws Exception {
        Path gguf = dir.resolve(name + ".gguf");
        HfToGguf.convertFolder(DemoModels.MAIN.equals(name) ? DemoModels.main() : DemoModels.draft(),
                new HfToGguf.Options(DType.F32, name), gguf);
        StringBuilder log = new StringBuilder();
        LlamaModel.setLogger(LogFormat.TEXT, (level, message) -> {
            synchronized (log) {
                log.append(level).append(' ').append(message);
            }
        });
        EngineConfig config = EngineConfig.builder(gguf.toString()).maxModelLen(256).kvCacheMemoryBytes(16L << 20).cpuThreads(2).build();
        try (LocalEngine engine = LocalEngine.start(config);
             GgufWeightSource weights = GgufWeightSource.open(gguf);
             Parallel parallel = new Parallel(2);
             Perplexity scorer = new Perplexity(weights, parallel, 256);
             LlamaModel llama = new LlamaModel(new ModelParameters().setModel(gguf.toString()).setCtxSize(256)
                     .setThreads(2).setThreadsBatch(2).setGpuLayers(0))) {
            Tokenizer tokenizer = engine.model().tokenizer().orElseThrow();
            int compared = 0, prompts = 0;
            for (String prompt : PROMPTS) {
                // llama.cpp's encode adds no BOS; its completion does (tokenizer.ggml.add_bos_token), as Pagoda's prompt here
                assertArrayEquals(llama.encode(prompt), tokenizer.encode(prompt, false), "prompt ids of " + prompt);
                int[] ids = tokenizer.encode(prompt, true);
                int[] chain = greedy(engine, ids);
                int n = 0;
                while (n < chain.length && !tokenizer.isSpecial(chain[n])) n++;
                if (n == 0) continue;
                int clear = clearSteps(scorer, ids, Arrays.copyOf(chain, n));
                String ours = tokenizer.decode(Arrays.copyOf(chain, n), false);
                String theirs = llama.complete(new InferenceParameters(prompt).setTemperature(0).setNPredict(n).setIgnoreEos(true)
                        .setRepeatPenalty(1.0f).setCachePrompt(false));
                if (clear == n) {
                    assertEquals(ours, theirs, name + " on '" + prompt + "'; llama.cpp log:\n" + log);
                } else {
                    String agreed = tokenizer.decode(Arrays.copyOf(chain, clear), false);
                    assertTrue(theirs.startsWith(agreed), name + " on '" + prompt + "': llama.cpp " + quoted(theirs)
                            + " leaves Pagoda's " + quoted(agreed) + " before the near-tie at token " + clear);
                }
                System.out.printf("%s: Pagoda and llama.cpp continue %s with %s (%d tokens%s)%n", name, quoted(prompt), quoted(ours), n,
                        clear == n ? "" : ", compared up to a near-tie at token " + clear + ": llama.cpp " + quoted(theirs));
                compared += clear;
                prompts++;
            }
            assertTrue(compared >= MIN_COMPARED, name + ": only " + compared + " tokens compared over " + prompts + " prompts");
        }
    }

    /** Steps of {@code chain} (greedy after {@code prompt}) before the first whose two best logits are within NEAR_TIE. */
    private static int clearSteps(Perplexity scorer, int[] prompt, int[] chain) {
        int[] all = Arrays.copyOf(prompt, prompt.length + chain.length);
        System.arraycopy(chain, 0, all, prompt.length, chain.length);
        float[][] logits = scorer.logits(all);
        for (int i = 0; i < chain.length; i++) {
            float[] row = logits[prompt.length - 1 + i];
            float best = Float.NEGATIVE_INFINITY, second = Float.NEGATIVE_INFINITY;
            for (float x : row) {
                if (x > best) {
                    second = best;
                    best = x;
                } else if (x > second) {
                    second = x;
                }
            }
            if (best - second < NEAR_TIE) return i;
        }
        return chain.length;
    }

    private static int[] greedy(LocalEngine engine, int[] prompt) throws InterruptedException {
        SamplingParams params = SamplingParams.greedy(MAX_TOKENS).toBuilder().ignoreEos(true).build();
        List<Integer> out = new ArrayList<>();
        try (RequestStream stream = engine.submit(new GenerationRequest("greedy-" + System.nanoTime(), prompt, params))) {
            StreamEvent event;
            while ((event = stream.poll(Duration.ofMinutes(1))) != null) {
                for (SampleDelta d : event.deltas()) for (int t : d.tokenIds()) out.add(t);
                if (event.finished()) break;
            }
        }
        assertEquals(MAX_TOKENS, out.size(), "greedy chain length");
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static String quoted(String s) {
        return "\"" + s.replace("\n", "\\n") + "\"";
    }
}
