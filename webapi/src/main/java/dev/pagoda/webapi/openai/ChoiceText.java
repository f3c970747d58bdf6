package dev.pagoda.webapi.openai;

import dev.pagoda.engine.api.SampleDelta;
import dev.pagoda.engine.api.TokenLogprobs;
import java.util.ArrayList;
import java.util.List;

/** One choice of a non-streamed response, gathered from its deltas. */
final class ChoiceText {

    private final StringBuilder text = new StringBuilder();
    private final List<Integer> tokenIds = new ArrayList<>();
    private final List<TokenLogprobs> logprobs = new ArrayList<>();
    private String finishReason;
    private Object stopReason;

    void add(SampleDelta delta) {
        text.append(delta.text());
        for (int id : delta.tokenIds()) tokenIds.add(id);
        logprobs.addAll(delta.logprobs());
        if (delta.finishReason() != null) {
            finishReason = delta.finishReason().apiName();
            stopReason = delta.stopReason();
        }
    }

    String text() {
        return text.toString();
    }

    int[] tokenIds() {
        return tokenIds.stream().mapToInt(Integer::intValue).toArray();
    }

    List<TokenLogprobs> logprobs() {
        return logprobs;
    }

    /** The sum of the sampled tokens' logprobs: best_of's ranking. */
    double cumulativeLogprob() {
        double sum = 0;
        for (TokenLogprobs lp : logprobs) sum += lp.logprob();
        return sum;
    }

    String finishReason() {
        return finishReason;
    }

    Object stopReason() {
        return stopReason;
    }
}
