package dev.pagoda.engine.sample;

import dev.pagoda.engine.structured.StructuredOutputCompiler;
import java.util.List;

/**
 * What sampling needs to know about the model's vocabulary.
 *
 * @param size              logits per row (the lm_head's rows)
 * @param eosTokenIds       end-of-sequence ids (several for Llama-3-Instruct style configs); masked
 *                          until {@code min_tokens} and stopping the request unless {@code ignore_eos}
 * @param structuredOutputs compiles a request's structured-output constraint against the model's
 *                          token bytes; null where the model has no tokenizer (constraints are refused)
 */
public record SamplerVocab(int size, List<Integer> eosTokenIds, StructuredOutputCompiler structuredOutputs) {

    public SamplerVocab {
        if (size < 1) throw new IllegalArgumentException("vocabulary size must be at least 1, got " + size);
        eosTokenIds = List.copyOf(eosTokenIds);
        for (int id : eosTokenIds) {
            if (id < 0 || id >= size) {
                throw new IllegalArgumentException("eos token id " + id + " is out of vocabulary (size " + size + ")");
            }
        }
    }

    /** Without structured output. */
    public SamplerVocab(int size, List<Integer> eosTokenIds) {
        this(size, eosTokenIds, null);
    }

    boolean isEos(int tokenId) {
        return eosTokenIds.contains(tokenId);
    }
}
