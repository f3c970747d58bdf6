package dev.pagoda.engine.sched;

import dev.pagoda.engine.request.SequenceId;
import dev.pagoda.engine.sample.SampledToken;
import java.util.Map;

/**
 * What the model runner returns for one {@link SchedulerOutput}.
 *
 * @param sampled        one entry for every scheduled sequence whose {@link ScheduledSequence#sample()} is true
 * @param failed         sequence -> message for sequences the runner could not compute (bad input, NaN
 *                       logits...); they finish with an error and the others continue
 * @param promptLogprobs sequence -> the prompt logprobs its rows of this step scored (prompt_logprobs)
 */
public record ModelRunnerOutput(Map<SequenceId, SampledToken> sampled, Map<SequenceId, String> failed,
        Map<SequenceId, PromptLogprobs> promptLogprobs) {
    public ModelRunnerOutput {
        sampled = Map.copyOf(sampled);
        failed = Map.copyOf(failed);
        promptLogprobs = Map.copyOf(promptLogprobs);
    }

    /** No prompt logprobs (no sequence of the step asked for them). */
    public ModelRunnerOutput(Map<SequenceId, SampledToken> sampled, Map<SequenceId, String> failed) {
        this(sampled, failed, Map.of());
    }

    public static ModelRunnerOutput of(Map<SequenceId, SampledToken> sampled) {
        return new ModelRunnerOutput(sampled, Map.of());
    }
}
