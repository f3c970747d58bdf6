package dev.pagoda.engine.bench;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.ModelParameters;
import java.nio.file.Path;

/**
 * llama.cpp's batch-1 decode speed on a GGUF file, through de.kherud:llama: the wall clock of a
 * completion of N tokens minus one of 1 token on the same prompt, so prompt processing and the
 * call's overhead cancel. (llama.cpp also prints its own "eval time" per completion on standard
 * output; the two agree within a few percent.)
 */
final class LlamaCppDecode {

    /** @param tokensPerSecond decode tokens per second, best of the repeats */
    record Result(double tokensPerSecond) {}

    private LlamaCppDecode() {}

    static Result measure(Path gguf, int threads, int tokens, int repeats) {
        try (LlamaModel model = new LlamaModel(new ModelParameters().setModel(gguf.toString()).setCtxSize(tokens + 64)
                .setThreads(threads).setThreadsBatch(threads).setGpuLayers(0))) {
            String prompt = "The quick brown fox jumps over the lazy dog.";
            complete(model, prompt, 8); // warm-up
            double best1 = Double.MAX_VALUE, bestN = Double.MAX_VALUE;
            for (int r = 0; r < repeats; r++) {
                best1 = Math.min(best1, complete(model, prompt, 1));
                bestN = Math.min(bestN, complete(model, prompt, tokens));
            }
            return new Result((tokens - 1) / (bestN - best1));
        }
    }

    /** Seconds for a greedy completion of exactly {@code n} tokens (EOS ignored). */
    private static double complete(LlamaModel model, String prompt, int n) {
        long t0 = System.nanoTime();
        model.complete(new InferenceParameters(prompt).setNPredict(n).setIgnoreEos(true).setTemperature(0)
                .setRepeatPenalty(1.0f).setCachePrompt(false));
        return (System.nanoTime() - t0) / 1e9;
    }
}
