package dev.pagoda.engine.sched;

import dev.pagoda.engine.sample.SampledToken;
import java.util.Map;

/**
 * What the model runner returns for one {@link SchedulerOutput}.
 *
 * @param sampled        one entry for every scheduled sequence whose {@link ScheduledSequence#sample()} is true
 * @param failed         request id -> message for sequences the runner could not compute (bad input, NaN
 *                       logits...); they finish with an error and the others continue
 * @param promptLogprobs request id -> the prompt logprobs of its {@link ScheduledSequence#promptLogprobRows()} rows
 */
public record ModelRunnerOutput(Map<String, SampledToken> sampled, Map<String, String> failed,
        Map<String, PromptLogprobs> promptLogprobs) {
    public ModelRunnerOutput {
        sampled = Map.copyOf(sampled);
        failed = Map.copyOf(failed);
        promptLogprobs = Map.copyOf(promptLogprobs);
    }

    /** No prompt logprobs (no sequence of the step asked for them). */
    public ModelRunnerOutput(Map<String, SampledToken> sampled, Map<String, String> failed) {
        this(sampled, failed, Map.of());
    }

    public static ModelRunnerOutput of(Map<String, SampledToken> sampled) {
        return new ModelRunnerOutput(sampled, Map.of());
    }
}
