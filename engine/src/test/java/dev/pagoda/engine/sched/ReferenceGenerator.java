package dev.pagoda.engine.sched;

import dev.pagoda.engine.sample.SamplingParams;

import java.util.Arrays;

/** Generation without any paging or batching: the same fake model over a plain token list. */
final class ReferenceGenerator {

    private ReferenceGenerator() {}

    /** Output tokens of one sample, with the stop rules written out independently of the scheduler. */
    static int[] generate(int[] prompt, SamplingParams params, int sampleIndex, int maxModelLen) {
        long salt = FakePagedModel.salt(params, sampleIndex);
        int[] tokens = Arrays.copyOf(prompt, maxModelLen);
        int length = prompt.length;
        int generated = 0;
        while (true) {
            int next = FakePagedModel.nextToken(tokens, length, salt);
            tokens[length++] = next;
            generated++;
            if (length >= maxModelLen) break;
            if (params.maxTokens() != null && generated >= params.maxTokens()) break;
            if (generated > params.minTokens()) { // min_tokens outputs come before any stop token
                if (!params.ignoreEos() && next == FakePagedModel.EOS) break;
                if (params.stopTokenIds().contains(next)) break;
            }
        }
        return Arrays.copyOfRange(tokens, prompt.length, length);
    }
}
