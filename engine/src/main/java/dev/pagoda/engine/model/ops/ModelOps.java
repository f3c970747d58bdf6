package dev.pagoda.engine.model.ops;

/**
 * The operations a model file is written in, implemented by each backend (the CPU's Vector-API
 * kernels, CUDA's kernels and cuBLAS). A {@link ModelDefinition} uses it twice:
 *
 * <ol>
 *   <li>in its constructor, to <b>declare</b> what it holds: weights ({@link #weights}), activation
 *       buffers ({@link #tensor}), attention and MoE layers. Backends size everything here, for
 *       their largest step, so a step allocates nothing.</li>
 *   <li>in {@link ModelDefinition#forward}, to <b>describe</b> one step. Backends record these
 *       calls once into a plan and replay it every step (as llama.cpp builds a graph), so a call
 *       here computes nothing by itself; a backend may fuse neighbouring calls while recording
 *       (the CPU adds a residual delta inside the next norm, CUDA accumulates o_proj and down_proj
 *       into the residual stream in the GEMM and folds a q/k/v bias into its RoPE kernel).</li>
 * </ol>
 *
 * Shapes use T for the step's token rows and R for its sampled rows ({@link Rows}). A backend
 * rejects, when it is declared or recorded, an operation it cannot run (with the operation and
 * the reason in the message), never in the middle of a step.
 */
public interface ModelOps {

    // ---- declarations (constructor) ----

    WeightLoader weights();

    /**
     * An activation buffer of {@code sum(columnParts)} columns; several parts declare the output of
     * a fused projection (q | k | v) whose parts later operations read apart.
     */
    Tensor tensor(String name, Precision precision, Rows rows, int... columnParts);

    /**
     * The (T, cols/2) output of {@link #gatedActivation} over {@code gateUp} (T, gate | up); the
     * backend may lay it over gateUp's gate half (the CPU writes act(gate)·up in place).
     */
    Tensor gatedOutput(String name, Tensor gateUp);

    /** The step's logits, (R, vocab) f32: what the runner samples from. */
    Tensor logits(int vocab);

    /** A self-attention layer with its own KV-cache layer; {@code qkNorm} null when the architecture has none. */
    AttentionLayer attentionLayer(AttentionSpec spec, QkNorm qkNorm);

    /** A mixture-of-experts MLP over {@code hidden} columns with experts of {@code intermediate}. */
    MoeLayer moeLayer(MoeSpec spec, MoeWeights weights, int hidden, int intermediate);

    // ---- one step (forward) ----

    /** out (T, hidden) = rows of {@code table} picked by the step's token ids. */
    void embed(EmbeddingWeight table, Tensor out);

    /**
     * out = norm(x) row by row. With {@code out} of {@link Rows#SAMPLED} rows and x of
     * {@link Rows#TOKENS}, only the sampled rows are normalised (the final norm before lm_head).
     */
    void norm(Norm norm, Tensor x, Tensor out);

    /** out (rows, w.outFeatures) = x·wᵀ (+ bias); out's column parts, if several, match w's parts. */
    void linear(Tensor x, LinearWeight w, Tensor out);

    /** residual (rows, w.outFeatures) += x·wᵀ (+ bias): a sub-layer's output projection added to the residual stream. */
    void linearIntoResidual(Tensor x, LinearWeight w, Tensor residual);

    /** residual += delta, same shape. */
    void add(Tensor delta, Tensor residual);

    /** out (rows, I) = act(gateUp[:, :I]) · gateUp[:, I:] (SwiGLU, GeGLU). */
    void gatedActivation(Activation activation, Tensor gateUp, Tensor out);

    /** x = act(x), in place. */
    void activation(Activation activation, Tensor x);

    /**
     * Self-attention of one layer over the step's sequences: from qkv (T, q | k | v) it adds
     * nothing (biases belong to the projection), normalises each q and k head (if the layer has
     * q/k norms), rotates q and k, writes this step's k and v into the layer's cache slots and
     * attends through the block tables; out (T, numHeads·headDim).
     */
    void attention(AttentionLayer layer, Tensor qkv, Tensor out);

    /** out (T, hidden) = the layer's experts for each token of x (T, hidden), weighted by the router. */
    void moe(MoeLayer layer, Tensor x, Tensor out);

    /** x *= factor (Gemma's √hidden embedding scale). */
    void scale(Tensor x, float factor);

    /** x = cap·tanh(x/cap) (Gemma 2's final logit soft-capping). */
    void softCap(Tensor x, float cap);
}
