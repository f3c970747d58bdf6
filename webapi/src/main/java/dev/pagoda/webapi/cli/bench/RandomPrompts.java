package dev.pagoda.webapi.cli.bench;

import java.util.SplittableRandom;

/**
 * Prompts of random token ids, as vLLM's random dataset makes them: no tokenizer is needed, the
 * length is exact, and a seed fixes every id.
 */
final class RandomPrompts {

    private RandomPrompts() {}

    /**
     * @param vocabSize ids are drawn uniformly from {@code [0, vocabSize)}
     * @return (count, length) token ids
     */
    static int[][] generate(int count, int length, int vocabSize, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[][] prompts = new int[count][length];
        for (int[] prompt : prompts) {
            for (int i = 0; i < length; i++) prompt[i] = random.nextInt(vocabSize);
        }
        return prompts;
    }
}
