package dev.pagoda.catalog.config;

import java.util.List;

/**
 * Everything about a model's shape that inference needs, whichever file it came from (HF
 * {@code config.json} or GGUF metadata). Immutable; built by {@code HfConfigReader} or the GGUF
 * metadata mapper, and elsewhere through {@link #builder(Architecture)}, which names every value:
 *
 * <pre>{@code
 * ModelSpec spec = ModelSpec.builder(Architecture.LLAMA)
 *         .hiddenSize(4096).numLayers(32).numHeads(32).numKvHeads(8).intermediateSize(14336).vocabSize(128256)
 *         .rmsNormEps(1e-5).ropeTheta(500000).maxPositionEmbeddings(8192)
 *         .bosTokenIds(128000).eosTokenIds(128001)
 *         .build();
 * }</pre>
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

    /** A builder with transformers' {@code LlamaConfig} defaults for whatever is not set; see {@link Builder}. */
    public static Builder builder(Architecture architecture) {
        return new Builder(architecture);
    }

    /** A builder holding this spec's values, to derive a variant (another dtype, other eos ids …). */
    public Builder toBuilder() {
        return new Builder(this);
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

    /**
     * Staging for a {@link ModelSpec}. The sizes (hidden, layers, heads, intermediate, vocabulary)
     * must be set; the rest defaults as transformers' {@code LlamaConfig} does: as many KV heads as
     * query heads, {@code headDim = hiddenSize / numHeads}, {@code rms_norm_eps} 1e-6,
     * {@code rope_theta} 10000, 2048 positions, untied embeddings, no bias, no q/k norm, full
     * attention, no special token ids, unknown dtype.
     */
    public static final class Builder {
        private Architecture architecture;
        private int hiddenSize;
        private int numLayers;
        private int numHeads;
        private Integer numKvHeads;
        private Integer headDim;
        private int intermediateSize;
        private int vocabSize;
        private double rmsNormEps = 1e-6;
        private double ropeTheta = 10000;
        private RopeScaling ropeScaling;
        private int maxPositionEmbeddings = 2048;
        private boolean tieWordEmbeddings;
        private String torchDtype;
        private List<Integer> bosTokenIds = List.of();
        private List<Integer> eosTokenIds = List.of();
        private Integer slidingWindow;
        private boolean attentionBias;
        private boolean qkNorm;

        private Builder(Architecture architecture) {
            this.architecture = architecture;
        }

        private Builder(ModelSpec s) {
            architecture = s.architecture; hiddenSize = s.hiddenSize; numLayers = s.numLayers; numHeads = s.numHeads;
            numKvHeads = s.numKvHeads; headDim = s.headDim; intermediateSize = s.intermediateSize; vocabSize = s.vocabSize;
            rmsNormEps = s.rmsNormEps; ropeTheta = s.ropeTheta; ropeScaling = s.ropeScaling;
            maxPositionEmbeddings = s.maxPositionEmbeddings; tieWordEmbeddings = s.tieWordEmbeddings; torchDtype = s.torchDtype;
            bosTokenIds = s.bosTokenIds; eosTokenIds = s.eosTokenIds; slidingWindow = s.slidingWindow;
            attentionBias = s.attentionBias; qkNorm = s.qkNorm;
        }

        public Builder architecture(Architecture v) { architecture = v; return this; }
        public Builder hiddenSize(int v) { hiddenSize = v; return this; }
        public Builder numLayers(int v) { numLayers = v; return this; }
        public Builder numHeads(int v) { numHeads = v; return this; }
        public Builder numKvHeads(int v) { numKvHeads = v; return this; }
        public Builder headDim(int v) { headDim = v; return this; }
        public Builder intermediateSize(int v) { intermediateSize = v; return this; }
        public Builder vocabSize(int v) { vocabSize = v; return this; }
        public Builder rmsNormEps(double v) { rmsNormEps = v; return this; }
        public Builder ropeTheta(double v) { ropeTheta = v; return this; }
        public Builder ropeScaling(RopeScaling v) { ropeScaling = v; return this; }
        public Builder maxPositionEmbeddings(int v) { maxPositionEmbeddings = v; return this; }
        public Builder tieWordEmbeddings(boolean v) { tieWordEmbeddings = v; return this; }
        public Builder torchDtype(String v) { torchDtype = v; return this; }
        public Builder bosTokenIds(List<Integer> v) { bosTokenIds = List.copyOf(v); return this; }
        public Builder bosTokenIds(Integer... v) { return bosTokenIds(List.of(v)); }
        public Builder eosTokenIds(List<Integer> v) { eosTokenIds = List.copyOf(v); return this; }
        public Builder eosTokenIds(Integer... v) { return eosTokenIds(List.of(v)); }
        public Builder slidingWindow(Integer v) { slidingWindow = v; return this; }
        public Builder attentionBias(boolean v) { attentionBias = v; return this; }
        public Builder qkNorm(boolean v) { qkNorm = v; return this; }

        /** @throws IllegalStateException naming the first size left unset */
        public ModelSpec build() {
            require(architecture != null, "architecture");
            require(hiddenSize > 0, "hiddenSize");
            require(numLayers > 0, "numLayers");
            require(numHeads > 0, "numHeads");
            require(intermediateSize > 0, "intermediateSize");
            require(vocabSize > 0, "vocabSize");
            return new ModelSpec(architecture, hiddenSize, numLayers, numHeads, numKvHeads != null ? numKvHeads : numHeads,
                    headDim != null ? headDim : hiddenSize / numHeads, intermediateSize, vocabSize, rmsNormEps, ropeTheta,
                    ropeScaling, maxPositionEmbeddings, tieWordEmbeddings, torchDtype, bosTokenIds, eosTokenIds,
                    slidingWindow, attentionBias, qkNorm);
        }

        private static void require(boolean set, String what) {
            if (!set) throw new IllegalStateException("ModelSpec." + what + " must be set (and positive)");
        }
    }
}
