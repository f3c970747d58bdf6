package dev.pagoda.engine.bench;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.ModelParameters;
import java.nio.file.Path;

/**
 * llama.cpp's decode speed on a GGUF file, through de.kherud:llama: the wall clock of a
 * completion of N tokens minus one of 1 token on the same prompt, so prompt processing and the
 * call's overhead cancel. (llama.cpp also prints its own "eval time" per completion on standard
 * output; the two agree within a few percent.) With {@code concurrent > 1}, that many completions
 * run at once on as many server slots with continuous batching (llama.cpp's own batched decode).
 */
final class LlamaCppDecode {

    /** @param tokensPerSecond decode tokens per second, best of the repeats */
    record Result(double tokensPerSecond) {}

    private LlamaCppDecode() {}

    static Result measure(Path gguf, int threads, int tokens, int repeats) {
        return measure(gguf, threads, tokens, repeats, 1);
    }

    static Result measure(Path gguf, int threads, int tokens, int repeats, int concurrent) {
        ModelParameters params = new ModelParameters().setModel(gguf.toString()).setCtxSize(concurrent * (tokens + 64))
                .setThreads(threads).setThreadsBatch(threads).setGpuLayers(0).setParallel(concurrent);
        if (concurrent > 1) params.enableContBatching();
        try (LlamaModel model = new LlamaModel(params)) {
            String prompt = "The quick brown fox jumps over the lazy dog.";
            completeAll(model, prompt, 8, concurrent); // warm-up
            double best1 = Double.MAX_VALUE, bestN = Double.MAX_VALUE;
            for (int r = 0; r < repeats; r++) {
                best1 = Math.min(best1, completeAll(model, prompt, 1, concurrent));
                bestN = Math.min(bestN, completeAll(model, prompt, tokens, concurrent));
            }
            return new Result(concurrent * (tokens - 1) / (bestN - best1));
        }
    }

    /** Seconds for {@code concurrent} completions of {@code n} tokens started together (distinct prompts). */
    private static double completeAll(LlamaModel model, String prompt, int n, int concurrent) {
        if (concurrent == 1) return complete(model, prompt, n);
        long t0 = System.nanoTime();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(concurrent)) {
            for (int i = 0; i < concurrent; i++) {
                String p = prompt + " " + i;
                pool.submit(() -> complete(model, p, n));
            }
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Seconds for a greedy completion of exactly {@code n} tokens (EOS ignored). */
    private static double complete(LlamaModel model, String prompt, int n) {
        long t0 = System.nanoTime();
        model.complete(new InferenceParameters(prompt).setNPredict(n).setIgnoreEos(true).setTemperature(0)
                .setRepeatPenalty(1.0f).setCachePrompt(false));
        return (System.nanoTime() - t0) / 1e9;
    }
}
