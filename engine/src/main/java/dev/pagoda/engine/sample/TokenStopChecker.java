package dev.pagoda.engine.sample;

/**
 * Token-level end of a request, checked after each generated token in vLLM V1's order
 * ({@code check_stop}): the length limits first (so a token that is both the last allowed and an
 * EOS reports LENGTH), then nothing before {@code min_tokens}, then EOS unless
 * {@code ignore_eos}, then {@code stop_token_ids}. Stop strings are text-level: see
 * {@link StopStringMatcher}.
 */
public final class TokenStopChecker {

    private TokenStopChecker() {
    }

    /**
     * @param state       the request, with the token just generated already appended
     * @param maxModelLen the context length: prompt plus generated tokens never exceed it
     * @return how the request ends, or null when it goes on
     */
    public static Finish check(SamplingState state, int maxModelLen) {
        SamplingParams params = state.params();
        int generated = state.outputCount();
        if (generated == 0) return null;
        Integer maxTokens = params.maxTokens();
        if ((long) state.promptLength() + generated >= maxModelLen
                || (maxTokens != null && generated >= maxTokens)) {
            return Finish.LENGTH;
        }
        if (generated < params.minTokens()) return null;
        int last = state.lastOutputToken();
        if (!params.ignoreEos() && state.vocab().isEos(last)) return Finish.EOS;
        if (params.stopTokenIds().contains(last)) return Finish.stopToken(last);
        return null;
    }
}
