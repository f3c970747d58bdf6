package dev.pagoda.catalog.config;

import java.util.List;

/**
 * Everything about a model's shape that inference needs, whichever file it came from (HF
 * {@code config.json} or GGUF metadata). Immutable; built by {@code HfConfigReader} or the GGUF
 * metadata mapper.
 *
 * @param architecture          model family
 * @param hiddenSize            d_model ("dim")
 * @param numLayers             decoder layers
 * @param numHeads              query heads
 * @param numKvHeads            key/value heads (GQA when smaller than numHeads)
 * @param headDim               per-head size (Qwen3 sets it explicitly; otherwise hiddenSize / numHeads)
 * @param intermediateSize      MLP hidden size
 * @param vocabSize             embedding rows / lm_head rows
 * @param rmsNormEps            RMSNorm epsilon
 * @param ropeTheta             RoPE base
 * @param ropeScaling           null when absent
 * @param maxPositionEmbeddings the model's context length
 * @param tieWordEmbeddings     lm_head shares the embedding matrix
 * @param torchDtype            the checkpoint's declared dtype ("bfloat16", "float32", …); null if unknown
 * @param bosTokenIds           may be empty
 * @param eosTokenIds           may be empty; several for Llama-3-Instruct style configs
 * @param slidingWindow         null when attention is full
 * @param attentionBias         q/k/v projections carry a bias (Qwen2)
 * @param qkNorm                per-head RMSNorm on q and k before RoPE (Qwen3)
 */
public record ModelSpec(
        Architecture architecture,
        int hiddenSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        int intermediateSize,
        int vocabSize,
        double rmsNormEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        int maxPositionEmbeddings,
        boolean tieWordEmbeddings,
        String torchDtype,
        List<Integer> bosTokenIds,
        List<Integer> eosTokenIds,
        Integer slidingWindow,
        boolean attentionBias,
        boolean qkNorm) {

    public ModelSpec {
        bosTokenIds = List.copyOf(bosTokenIds);
        eosTokenIds = List.copyOf(eosTokenIds);
    }

    public int qDim() {
        return numHeads * headDim;
    }

    public int kvDim() {
        return numKvHeads * headDim;
    }

    /**
     * Parameters as transformers' {@code model.num_parameters()} counts them: a tied lm_head is
     * counted once.
     */
    public long parameterCount() {
        long d = hiddenSize, q = qDim(), kv = kvDim(), ff = intermediateSize;
        long attention = d * q + 2 * d * kv + q * d;
        if (attentionBias) attention += q + 2 * kv;
        if (qkNorm) attention += 2L * headDim;
        long mlp = 3 * d * ff;
        long norms = 2 * d;
        long perLayer = attention + mlp + norms;
        long embed = (long) vocabSize * d;
        long lmHead = tieWordEmbeddings ? 0 : embed;
        return numLayers * perLayer + embed + lmHead + d;
    }
}
