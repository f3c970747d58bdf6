package dev.pagoda.engine.api;

import dev.pagoda.engine.sample.SamplingParams;

/**
 * One request as submitted: the prompt is already tokenized (chat templates and tokenization are
 * the front end's job, so the engine never guesses at them).
 *
 * @param requestId      unique among live requests; it must not contain '#', which marks n > 1 samples
 * @param promptTokenIds at least one token, all below the vocabulary size
 * @param params         sampling and stop rules
 * @param priority       lower runs first under the priority policy; ignored under FCFS
 */
public record GenerationRequest(String requestId, int[] promptTokenIds, SamplingParams params, int priority) {

    public GenerationRequest {
        promptTokenIds = promptTokenIds.clone();
    }

    public GenerationRequest(String requestId, int[] promptTokenIds, SamplingParams params) {
        this(requestId, promptTokenIds, params, 0);
    }

    @Override
    public int[] promptTokenIds() {
        return promptTokenIds.clone();
    }
}
