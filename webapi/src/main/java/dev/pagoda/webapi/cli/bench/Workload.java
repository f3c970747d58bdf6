package dev.pagoda.webapi.cli.bench;

import dev.pagoda.engine.api.ModelInfo;

/**
 * The fixed-length random workload of a benchmark, checked against the engine before anything runs.
 *
 * @param prompts   requests per batch
 * @param inputLen  prompt tokens of each request
 * @param outputLen tokens each request generates (ignore_eos)
 */
record Workload(int prompts, int inputLen, int outputLen) {

    /** @param promptsFlag the flag that sets {@code prompts}, named in errors */
    static Workload checked(int prompts, String promptsFlag, int inputLen, int outputLen) {
        if (prompts < 1) throw new IllegalArgumentException(promptsFlag + " must be >= 1, got " + prompts);
        if (inputLen < 1) throw new IllegalArgumentException("--input-len must be >= 1, got " + inputLen);
        if (outputLen < 1) throw new IllegalArgumentException("--output-len must be >= 1, got " + outputLen);
        return new Workload(prompts, inputLen, outputLen);
    }

    /** A request that cannot reach outputLen tokens would end early and skew every rate. */
    void checkFits(ModelInfo model) {
        if ((long) inputLen + outputLen > model.maxModelLen()) {
            throw new IllegalArgumentException("--input-len " + inputLen + " + --output-len " + outputLen
                    + " exceeds the context length " + model.maxModelLen() + " (--max-model-len)");
        }
    }

    int[][] prompts(ModelInfo model, long seed) {
        return RandomPrompts.generate(prompts, inputLen, model.spec().vocabSize(), seed);
    }
}
