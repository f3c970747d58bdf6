package dev.pagoda.engine.cpu;

import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.engine.model.ops.RopeFrequencies;
import dev.pagoda.engine.model.ops.RopeSpec;
import dev.pagoda.engine.model.ops.RopeStyle;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * Rotary position embedding over the first {@code r = rotaryDim} dimensions of each head (the
 * rest pass through). In HF's rotate-half layout, for {@code i < r/2},
 * {@code x'[i] = x[i]·cos − x[i+r/2]·sin} and {@code x'[i+r/2] = x[i+r/2]·cos + x[i]·sin}, with
 * angle {@code position · θ_i}; every weight source presents Llama-family q/k in this layout
 * (GGUF readers undo llama.cpp's permutation). The interleaved (GPT-J) style pairs {@code 2i}
 * with {@code 2i+1} instead.
 *
 * <p>cos and sin are precomputed per position (already multiplied by YaRN's attention factor),
 * so a step does no transcendental math. For dynamic NTK scaling the row of position p uses the
 * frequencies transformers uses once a sequence holds p+1 tokens: cached keys are rotated once,
 * when written, so a position's rotation cannot depend on later tokens; this equals transformers'
 * token-by-token decoding and, within max_position_embeddings, its plain forward pass.
 */
public final class Rope {

    private final int headDim;
    private final int half; // rotaryDim / 2: frequencies, and the distance between rotate-half pairs
    private final boolean interleaved;
    private final int maxPositions;
    private final float[] cos; // (maxPositions, headDim/2)
    private final float[] sin; // (maxPositions, headDim/2)
    private final Parallel parallel;
    private final Parallel.RangeBody body = this::rotateTokens;

    private MemorySegment x; // (tokens, heads, headDim) f32
    private int[] positions; // (tokens)
    private int heads;

    /** Tables for positions {@code [0, maxPositions)} of a model. */
    public Rope(ModelSpec spec, int maxPositions, Parallel parallel) {
        this(spec, maxPositions, null, parallel);
    }

    /**
     * Tables for a model whose file carries per-frequency factors: GGUF conversions of Llama-3
     * models store llama3 rope scaling as {@code rope_freqs.weight} instead of metadata, and
     * llama.cpp divides each inverse frequency by its factor.
     *
     * @param frequencyFactors (headDim / 2) divisors of the inverse frequencies, or null for none
     */
    public Rope(ModelSpec spec, int maxPositions, float[] frequencyFactors, Parallel parallel) {
        this(RopeSpec.of(spec, frequencyFactors), maxPositions, parallel);
    }

    /** Tables for positions {@code [0, maxPositions)} of any RoPE a model describes. */
    public Rope(RopeSpec rope, int maxPositions, Parallel parallel) {
        if (maxPositions < 1) throw new IllegalArgumentException("RoPE maxPositions must be >= 1, got " + maxPositions);
        this.headDim = rope.headDim();
        this.half = rope.rotaryDim() / 2;
        this.interleaved = rope.style() == RopeStyle.INTERLEAVED;
        this.maxPositions = maxPositions;
        this.parallel = parallel;
        this.cos = new float[Math.multiplyExact(maxPositions, half)];
        this.sin = new float[cos.length];
        RopeFrequencies freqs = RopeFrequencies.of(rope, 1);
        for (int p = 0; p < maxPositions; p++) {
            if (rope.dynamic() && p + 1 > rope.maxPositionEmbeddings()) {
                freqs = RopeFrequencies.of(rope, p + 1);
            }
            for (int i = 0; i < half; i++) {
                double angle = p * freqs.inverse(i);
                cos[p * half + i] = (float) (Math.cos(angle) * freqs.attentionFactor());
                sin[p * half + i] = (float) (Math.sin(angle) * freqs.attentionFactor());
            }
        }
    }

    public int maxPositions() {
        return maxPositions;
    }

    /**
     * Rotates every head of every token in place.
     *
     * @param x         (tokens, heads, headDim) f32
     * @param positions (tokens) position of each token in its sequence
     */
    public void apply(MemorySegment x, int[] positions, int tokens, int heads) {
        FloatRows.requireFloats(x, (long) tokens * heads * headDim, "RoPE input");
        for (int t = 0; t < tokens; t++) {
            if (positions[t] < 0 || positions[t] >= maxPositions) {
                throw new IllegalArgumentException("position " + positions[t] + " of token " + t
                        + " is outside the RoPE table [0, " + maxPositions + ")");
            }
        }
        this.x = x;
        this.positions = positions;
        this.heads = heads;
        parallel.forRange(tokens, Math.max(1, 2048 / (heads * headDim)), body);
    }

    private void rotateTokens(int start, int end) {
        for (int t = start; t < end; t++) {
            int table = positions[t] * half;
            for (int h = 0; h < heads; h++) {
                long off = ((long) t * heads + h) * headDim;
                if (interleaved) rotatePairs(off, table); else rotate(off, table);
            }
        }
    }

    private void rotate(long off, int table) {
        int i = 0;
        int bound = FloatRows.SPECIES.loopBound(half);
        for (; i < bound; i += FloatRows.SPECIES.length()) {
            FloatVector c = FloatVector.fromArray(FloatRows.SPECIES, cos, table + i);
            FloatVector s = FloatVector.fromArray(FloatRows.SPECIES, sin, table + i);
            FloatVector x1 = FloatRows.load(x, off + i);
            FloatVector x2 = FloatRows.load(x, off + half + i);
            FloatRows.store(x1.mul(c).sub(x2.mul(s)), x, off + i);
            FloatRows.store(x2.mul(c).add(x1.mul(s)), x, off + half + i);
        }
        for (; i < half; i++) {
            float c = cos[table + i];
            float s = sin[table + i];
            float x1 = FloatRows.get(x, off + i);
            float x2 = FloatRows.get(x, off + half + i);
            FloatRows.set(x, off + i, x1 * c - x2 * s);
            FloatRows.set(x, off + half + i, x2 * c + x1 * s);
        }
    }

    /** GPT-J style: dimensions 2i and 2i+1 rotate together by θ_i. */
    private void rotatePairs(long off, int table) {
        for (int i = 0; i < half; i++) {
            float c = cos[table + i];
            float s = sin[table + i];
            float x1 = FloatRows.get(x, off + 2L * i);
            float x2 = FloatRows.get(x, off + 2L * i + 1);
            FloatRows.set(x, off + 2L * i, x1 * c - x2 * s);
            FloatRows.set(x, off + 2L * i + 1, x2 * c + x1 * s);
        }
    }
}
