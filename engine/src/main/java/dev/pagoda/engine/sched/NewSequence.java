package dev.pagoda.engine.sched;

import dev.pagoda.engine.request.SequenceId;
import dev.pagoda.engine.sample.SamplingParams;

/**
 * A sequence the runner has not seen yet, sent once, in the first step that schedules it (vLLM
 * V1's {@code NewRequestData}); later steps name it by id only. The runner keeps what it needs
 * (the prompt for penalties, the sampling parameters, its block table) until the scheduler
 * reports the sequence finished. A child of an n > 1 request is new when it is forked.
 *
 * @param promptTokenIds the prompt, a copy
 */
public record NewSequence(SequenceId id, int[] promptTokenIds, SamplingParams params) {

    public NewSequence {
        promptTokenIds = promptTokenIds.clone();
    }

    @Override
    public int[] promptTokenIds() {
        return promptTokenIds.clone();
    }

    public int numPromptTokens() {
        return promptTokenIds.length;
    }
}
