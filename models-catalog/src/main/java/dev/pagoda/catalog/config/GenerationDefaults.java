package dev.pagoda.catalog.config;

import java.util.List;

/**
 * The sampling defaults a model ships in {@code generation_config.json}. A field is null when the
 * file does not set it (or there is no file), so callers can tell "not said" from a value and
 * fall back to their own defaults.
 *
 * @param temperature       softmax temperature
 * @param topP              nucleus sampling mass
 * @param topK              top-k cut
 * @param repetitionPenalty CTRL-style repetition penalty (1.0 = none)
 * @param maxNewTokens      output length cap
 * @param doSample          false means greedy decoding is the model's default
 * @param bosTokenIds       may be empty
 * @param eosTokenIds       may be empty; Instruct models often list several
 */
public record GenerationDefaults(
        Double temperature,
        Double topP,
        Integer topK,
        Double repetitionPenalty,
        Integer maxNewTokens,
        Boolean doSample,
        List<Integer> bosTokenIds,
        List<Integer> eosTokenIds) {

    public GenerationDefaults {
        bosTokenIds = List.copyOf(bosTokenIds);
        eosTokenIds = List.copyOf(eosTokenIds);
    }

    /** What a model folder without {@code generation_config.json} says: nothing. */
    public static GenerationDefaults empty() {
        return new GenerationDefaults(null, null, null, null, null, null, List.of(), List.of());
    }
}
