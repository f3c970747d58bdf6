package dev.pagoda.engine.runner;

import dev.pagoda.engine.api.TokenLogprobs;
import dev.pagoda.engine.request.SequenceId;
import dev.pagoda.engine.sample.Sampler;
import dev.pagoda.engine.sched.PromptLogprobs;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Turns a step's prompt-scoring logit rows ({@link BatchLayout#promptRows()}) into each
 * sequence's {@link PromptLogprobs}; the CPU and CUDA runners share it. A row that cannot be
 * scored (NaN logits) fails its sequence only.
 */
final class PromptLogprobScoring {

    private PromptLogprobScoring() {}

    /**
     * @param logitsRow the f32 logits of logit row {@code r} (prompt rows follow the sampled ones)
     * @param failed    where a sequence whose row cannot be scored is reported
     */
    static Map<SequenceId, PromptLogprobs> score(BatchLayout layout, IntFunction<MemorySegment> logitsRow, Sampler sampler,
            Map<SequenceId, String> failed) {
        Map<SequenceId, List<TokenLogprobs>> scored = new LinkedHashMap<>();
        Map<SequenceId, Integer> firstPosition = new LinkedHashMap<>();
        List<BatchLayout.PromptRow> rows = layout.promptRows();
        int offset = layout.sampling().size();
        for (int j = 0; j < rows.size(); j++) {
            BatchLayout.PromptRow row = rows.get(j);
            SequenceId id = row.sequence();
            if (failed.containsKey(id)) continue;
            try {
                TokenLogprobs lp = TokenLogprobs.of(sampler.score(logitsRow.apply(offset + j), row.token(), row.topN()));
                scored.computeIfAbsent(id, k -> new ArrayList<>()).add(lp);
                firstPosition.putIfAbsent(id, row.position());
            } catch (IllegalStateException | IllegalArgumentException e) {
                failed.put(id, "prompt logprobs failed: " + e.getMessage());
                scored.remove(id);
            }
        }
        Map<SequenceId, PromptLogprobs> out = new LinkedHashMap<>();
        for (var e : scored.entrySet()) out.put(e.getKey(), new PromptLogprobs(firstPosition.get(e.getKey()), e.getValue()));
        return out;
    }
}
