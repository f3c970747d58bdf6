package dev.pagoda.catalog.plan;

import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.tensor.DType;
import java.util.Locale;

/**
 * How much memory a model's weights take and how many tokens of KV cache fit beside them.
 *
 * <h2>Weights</h2>
 * Every tensor of a Llama-family decoder (Llama, Mistral, Qwen2, Qwen3), with d = hidden size,
 * q = heads × headDim, kv = kvHeads × headDim, ff = intermediate size, V = vocabulary:
 * <pre>
 *   embedding          V × d               lm_head (untied only)  V × d
 *   per layer:  q_proj q × d     k_proj, v_proj  kv × d each     o_proj  d × q
 *               gate, up  ff × d each           down  d × ff
 *               2 RMSNorm weights of d; q, k, v biases (q + 2kv) when attention_bias;
 *               q_norm, k_norm (headDim each) when qk_norm
 *   final norm d
 * </pre>
 * <ul>
 *   <li>F32, F16, BF16 describe an HF checkpoint: every tensor in that dtype, so
 *       weightBytes = {@link ModelSpec#parameterCount()} × bytes per element.</li>
 *   <li>Q8_0, Q4_0, Q4_K, Q5_K, Q6_K describe a GGUF file as llama.cpp writes it: 1-D tensors
 *       (norms, biases) stay F32; each matrix (embedding included) is stored row by row in
 *       blocks, rows × (rowLength / blockElements) × blockBytes, the row being the input
 *       dimension (d for q/k/v/gate/up/embedding/lm_head, q for o_proj, ff for down). Where a
 *       row is not a whole number of blocks (Qwen2.5-0.5B's 896 for the 256-element K-quants)
 *       llama.cpp falls back to a type with 32-element blocks; this counts that tensor as
 *       Q8_0 (34 bytes per 32), or F16 if the row is not a multiple of 32 either.</li>
 * </ul>
 *
 * <h2>KV cache</h2>
 * <pre>
 *   kvBytesPerToken = 2 (K and V) × layers × kvHeads × headDim × bytes(kv dtype)
 *   usable          = floor(memory × utilization)
 *   kvBudget        = usable − weightBytes − reserve
 *   numBlocks       = floor(kvBudget / (kvBytesPerToken × blockSize))        (0 when kvBudget &lt; 0)
 *   maxCachedTokens = numBlocks × blockSize
 *   maxConcurrentSequences(C) = floor(numBlocks / ceil(C / blockSize))
 * </pre>
 * When kvBudget is negative, or too small for one block, the plan carries a "does not fit"
 * message saying how many GiB more it needs.
 */
public final class MemoryPlanner {

    private static final double GIB = 1024.0 * 1024 * 1024;

    private MemoryPlanner() {
    }

    public static MemoryPlan plan(MemoryPlanRequest request) {
        long weights = weightBytes(request.spec(), request.weightDType());
        long perToken = kvBytesPerToken(request.spec(), request.kvDType());
        long perBlock = perToken * request.blockSize();
        long usable = (long) Math.floor(request.memoryBytes() * request.utilization());
        long budget = usable - weights - request.reserveBytes();
        long blocks = budget > 0 ? budget / perBlock : 0;
        String problem = null;
        if (budget < 0) {
            problem = String.format(Locale.ROOT,
                    "does not fit: needs %.2f GiB more (weights %.2f GiB + reserve %.2f GiB exceed the usable"
                            + " %.2f GiB = memory %.2f GiB × utilization %s)",
                    -budget / GIB, weights / GIB, request.reserveBytes() / GIB, usable / GIB,
                    request.memoryBytes() / GIB, request.utilization());
        } else if (blocks == 0) {
            problem = String.format(Locale.ROOT,
                    "does not fit: needs %.2f GiB more (the %.2f GiB left for the KV cache is less than one block"
                            + " of %d tokens, %.2f GiB)",
                    (perBlock - budget) / GIB, budget / GIB, request.blockSize(), perBlock / GIB);
        }
        return new MemoryPlan(request, weights, perToken, usable, budget, blocks, blocks * request.blockSize(), problem);
    }

    /** 2 (K and V) × layers × kvHeads × headDim × bytes per element. */
    public static long kvBytesPerToken(ModelSpec spec, DType kvDType) {
        MemoryPlanRequest.checkKvDType(kvDType);
        return 2L * spec.numLayers() * spec.numKvHeads() * spec.headDim() * kvDType.blockBytes;
    }

    /** Bytes of every weight tensor stored as {@code dtype}; see the class comment. */
    public static long weightBytes(ModelSpec spec, DType dtype) {
        MemoryPlanRequest.checkWeightDType(dtype);
        if (!dtype.quantized()) return spec.parameterCount() * dtype.blockBytes;

        long d = spec.hiddenSize(), q = spec.qDim(), kv = spec.kvDim(), ff = spec.intermediateSize();
        long perLayer = matrix(q, d, dtype) + 2 * matrix(kv, d, dtype) + matrix(d, q, dtype)
                + 2 * matrix(ff, d, dtype) + matrix(d, ff, dtype);
        long vectors = 2 * d;
        if (spec.attentionBias()) vectors += q + 2 * kv;
        if (spec.qkNorm()) vectors += 2L * spec.headDim();
        perLayer += vectors * DType.F32.blockBytes;
        long embedding = matrix(spec.vocabSize(), d, dtype);
        long lmHead = spec.tieWordEmbeddings() ? 0 : embedding;
        return spec.numLayers() * perLayer + embedding + lmHead + d * DType.F32.blockBytes;
    }

    /** A rows × rowLength matrix quantized row by row, with llama.cpp's fallback for ragged rows. */
    private static long matrix(long rows, long rowLength, DType dtype) {
        DType stored = dtype;
        if (rowLength % stored.blockElements != 0) stored = DType.Q8_0;
        if (rowLength % stored.blockElements != 0) stored = DType.F16;
        return rows * stored.bytesFor(rowLength);
    }
}
