package dev.pagoda.engine.cuda.kernels;

import dev.pagoda.engine.cuda.CudaDevice;
import dev.pagoda.engine.cuda.CudaStream;

/**
 * The NVRTC kernels of the CUDA backend behind typed calls. Every pointer is a device address
 * ({@code long}); shapes are in the comments of the records. Calls only enqueue work on the given
 * stream: nothing synchronises, nothing allocates, so every call can be captured into a CUDA graph.
 *
 * <p>Layouts (Llama family; H query heads, Hkv KV heads, Dh head dim, T tokens, S sequences):
 * K and V caches of one layer are bf16 {@code [numBlocks][blockSize][Hkv][Dh]},
 * {@code slot = block · blockSize + offset}; block tables int32 (S, maxBlocksPerSeq) row-major.
 * Vectorised kernels need 16-byte aligned buffers (cudaMalloc gives 256).
 *
 * <p>Order within a layer, all on one stream: {@link #qkvRopeCache} (writes this step's K/V into
 * the cache) before either attention call; {@link #decodeAttention} and {@link #prefillAttention}
 * write disjoint rows of {@code out} and may come in either order. Decode's split reduction is
 * launched inside {@link #decodeAttention}; its workspace must not be shared with a decode launch
 * running concurrently on another stream.
 *
 * <p>One instance per engine thread: the launch argument buffers are reused, not locked.
 */
public final class CudaKernels implements AutoCloseable {

    /**
     * @param scale         softmax scale, usually 1/sqrt(headDim)
     * @param slidingWindow a query sees its last {@code slidingWindow} positions, itself included; 0 = all
     */
    public record AttentionGeometry(int numHeads, int numKvHeads, int headDim, int blockSize, int maxBlocksPerSeq,
                                    float scale, int slidingWindow) {
        public AttentionGeometry {
            Checks.positive(numHeads, "numHeads");
            Checks.positive(numKvHeads, "numKvHeads");
            Checks.positive(headDim, "headDim");
            Checks.positive(blockSize, "blockSize");
            Checks.positive(maxBlocksPerSeq, "maxBlocksPerSeq");
            Checks.nonNegative(slidingWindow, "slidingWindow");
            if (numHeads % numKvHeads != 0) {
                throw new IllegalArgumentException("numHeads " + numHeads + " is not a multiple of numKvHeads " + numKvHeads);
            }
            if (headDim % 2 != 0) throw new IllegalArgumentException("headDim must be even (RoPE pairs), got " + headDim);
            if (!(scale > 0) || Float.isInfinite(scale)) throw new IllegalArgumentException("scale must be positive, got " + scale);
        }

        /** Tokens a block table can address. */
        public long maxContext() {
            return (long) maxBlocksPerSeq * blockSize;
        }
    }

    /**
     * Arguments of {@link #qkvRopeCache}.
     *
     * @param qkv         f32 (T, (H + 2Hkv)·Dh): q heads, then k heads, then v heads
     * @param bias        bf16 ((H + 2Hkv)·Dh) or 0
     * @param qNorm       bf16 (Dh) per-head q RMSNorm weight (Qwen3) or 0
     * @param kNorm       bf16 (Dh) per-head k RMSNorm weight or 0
     * @param positions   int32 (T)
     * @param invFreq     f32 (Dh/2) RoPE inverse frequencies
     * @param slotMapping int32 (T), -1 = don't write
     * @param query       bf16 (T, H·Dh) out
     * @param keyCache    bf16 [numBlocks][blockSize][Hkv][Dh] of this layer
     * @param valueCache  bf16 [numBlocks][blockSize][Hkv][Dh] of this layer
     */
    public record QkvRopeCache(long qkv, long bias, long qNorm, long kNorm, long positions, long invFreq,
                               float attentionFactor, long slotMapping, long query, long keyCache, long valueCache,
                               int tokens, float normEps) {}

    /**
     * Arguments of {@link #decodeAttention}.
     *
     * @param query       bf16 (T, H·Dh)
     * @param blockTables int32 (S, maxBlocksPerSeq)
     * @param queryStart  int32 (S + 1)
     * @param contextLens int32 (S), this step's tokens included
     * @param decodeSeqs  int32 (numDecodeSeqs) sequence indices, one query token each (at row queryStart[s])
     * @param out         bf16 (T, H·Dh): rows of the decode tokens are written
     * @param workspace   {@link #decodeWorkspaceBytes} bytes, 16-byte aligned (0 allowed when {@link #decodeSplits} is 1)
     */
    public record DecodeAttention(long query, long keyCache, long valueCache, long blockTables, long queryStart,
                                  long contextLens, long decodeSeqs, int numDecodeSeqs, long out, long workspace) {}

    /**
     * Arguments of {@link #prefillAttention}.
     *
     * @param tileSeq int32 (numTiles) sequence of each tile
     * @param tileRow int32 (numTiles) first global query row of each tile; a tile covers
     *                {@link #prefillTileRows()} rows or up to its sequence's last query row
     * @param out     bf16 (T, H·Dh)
     */
    public record PrefillAttention(long query, long keyCache, long valueCache, long blockTables, long queryStart,
                                   long contextLens, long tileSeq, long tileRow, int numTiles, long out) {}

    /**
     * Arguments of {@link #sample}.
     *
     * @param logits      f32 (rows, vocab)
     * @param temperature f32 (rows); below 1e-5 = greedy
     * @param topK        int32 (rows), <= 0 = off
     * @param topP        f32 (rows), 1 = off
     * @param minP        f32 (rows), 0 = off
     * @param seeds       int64 (rows)
     * @param counters    int32 (rows): the draw is a function of (seed, counter, logits) only
     * @param maskRows    int32 (rows): the row's structured-output bitmask in {@code maskWords}, -1 for none; 0 (null) for no masks at all
     * @param maskWords   uint32 (masked rows, maskStride): bit {@code i & 31} of word {@code i >> 5} allows token i
     * @param maskStride  uint32 words per bitmask row
     * @param outTokens   int32 (rows) out; -1 where no allowed logit is finite
     */
    public record SamplingBatch(long logits, int rows, int vocab, long temperature, long topK, long topP, long minP,
                                long seeds, long counters, long maskRows, long maskWords, int maskStride, long outTokens) {

        /** Without structured-output masks. */
        public SamplingBatch(long logits, int rows, int vocab, long temperature, long topK, long topP, long minP, long seeds,
                             long counters, long outTokens) {
            this(logits, rows, vocab, temperature, topK, topP, minP, seeds, counters, 0, 0, 0, outTokens);
        }
    }

    private final LoadedKernels loaded;
    private final ElementwiseKernels elementwise;
    private final QkvRopeCacheKernel qkvRopeCache;
    private final DecodeKernelChoice decodeChoice;
    private final DecodeAttentionLauncher decode;
    private final PrefillKernelChoice prefillChoice;
    private final PrefillAttentionLauncher prefill;
    private final SamplingKernel sampling;

    private CudaKernels(LoadedKernels loaded, int multiprocessors, DecodeKernelChoice decodeChoice,
                        PrefillKernelChoice prefillChoice) {
        this.loaded = loaded;
        this.elementwise = new ElementwiseKernels(loaded);
        this.qkvRopeCache = new QkvRopeCacheKernel(loaded);
        this.decodeChoice = decodeChoice;
        var splits = new DecodeSplits(loaded);
        this.decode = switch (decodeChoice) {
            case LEGACY -> new DecodeAttentionKernel(loaded, splits, multiprocessors);
            case V2 -> new DecodeAttentionV2Kernel(loaded, splits, multiprocessors);
        };
        this.prefillChoice = prefillChoice;
        this.prefill = switch (prefillChoice) {
            case LEGACY -> new PrefillAttentionKernel(loaded);
            case V2 -> new PrefillAttentionV2Kernel(loaded, multiprocessors);
        };
        this.sampling = new SamplingKernel(loaded);
    }

    /**
     * Compiles (or takes from the disk cache) every kernel source and looks its functions up once;
     * decode attention runs the kernel the system property {@value DecodeKernelChoice#PROPERTY}
     * names, prefill attention the one {@value PrefillKernelChoice#PROPERTY} names ({@code legacy}
     * or {@code v2} each, default {@code v2}). The only place either property is read.
     */
    public static CudaKernels load(CudaDevice device) {
        var properties = System.getProperties();
        return load(device, DecodeKernelChoice.fromProperties(properties), PrefillKernelChoice.fromProperties(properties));
    }

    /** As {@link #load(CudaDevice)}, with decode attention on the given kernel and prefill on the default one. */
    public static CudaKernels load(CudaDevice device, DecodeKernelChoice decodeKernel) {
        return load(device, decodeKernel, PrefillKernelChoice.DEFAULT);
    }

    /** As {@link #load(CudaDevice)}, with decode and prefill attention on the given kernels. */
    public static CudaKernels load(CudaDevice device, DecodeKernelChoice decodeKernel, PrefillKernelChoice prefillKernel) {
        LoadedKernels loaded = new LoadedKernels(device, KernelSource.all());
        try {
            return new CudaKernels(loaded, device.multiprocessors(), decodeKernel, prefillKernel);
        } catch (RuntimeException e) {
            loaded.close();
            throw e;
        }
    }

    /** out f32 (tokens, dim) = bf16 table rows (vocab, dim) picked by tokenIds int32 (tokens). */
    public void embedding(CudaStream s, long tokenIds, long table, long out, int tokens, int dim) {
        elementwise.embedding(s, tokenIds, table, out, tokens, dim);
    }

    /**
     * tokenIds int32 (tokens): {@code tokenIds[t] = previousSampled[feedRows[t]]} where
     * {@code feedRows[t] >= 0}; the ids a step in flight samples become the next step's input
     * without a round trip through the host.
     */
    public void fillPendingTokens(CudaStream s, long tokenIds, long feedRows, long previousSampled, int tokens) {
        elementwise.fillPendingTokens(s, tokenIds, feedRows, previousSampled, tokens);
    }

    /**
     * out bf16 (n, dim), row i = x[row_i] / rms(x[row_i]) · weight with {@code row_i = rows == 0 ? i : rows[i]};
     * x f32, weight bf16 (dim), statistics in f32.
     */
    public void rmsNorm(CudaStream s, long x, long rows, long weight, long out, int n, int dim, float eps) {
        elementwise.rmsNorm(s, x, rows, weight, out, n, dim, eps);
    }

    public void qkvRopeCache(CudaStream s, AttentionGeometry g, QkvRopeCache a) {
        qkvRopeCache.launch(s, g, a);
    }

    /** Bytes of workspace {@link #decodeAttention} needs for up to {@code maxSeqs} decode sequences. */
    public static long decodeWorkspaceBytes(AttentionGeometry g, int maxSeqs) {
        return DecodeAttentionKernel.workspaceBytes(g, maxSeqs);
    }

    /** Splits of the KV length decode attention uses for this geometry (1: the reduce kernel is not launched). */
    public static int decodeSplits(AttentionGeometry g) {
        return DecodeAttentionKernel.numSplits(g);
    }

    /** The decode attention kernel {@link #decodeAttention} launches. */
    public DecodeKernelChoice decodeKernel() {
        return decodeChoice;
    }

    public void decodeAttention(CudaStream s, AttentionGeometry g, DecodeAttention a) {
        decode.launch(s, g, a);
    }

    /** The prefill attention kernel {@link #prefillAttention} launches. */
    public PrefillKernelChoice prefillKernel() {
        return prefillChoice;
    }

    /** Query rows per prefill tile (both kernels): the host cuts each multi-token sequence's rows into tiles of this size. */
    public static int prefillTileRows() {
        return PrefillAttentionKernel.TILE_ROWS;
    }

    /**
     * Splits every sequence of more than one query token into tiles of {@link #prefillTileRows()}
     * rows (sequences of one token belong to {@link #decodeAttention}).
     *
     * @param queryStart (S + 1) query offsets of the step
     * @param tileSeq    out: sequence of each tile; needs room for {@link #maxPrefillTiles} entries
     * @param tileRow    out: first global query row of each tile
     * @return the number of tiles written
     */
    public static int prefillTiles(int[] queryStart, int[] tileSeq, int[] tileRow) {
        int tiles = 0;
        int rows = prefillTileRows();
        for (int s = 0; s + 1 < queryStart.length; s++) {
            if (queryStart[s + 1] - queryStart[s] < 2) continue;
            for (int row = queryStart[s]; row < queryStart[s + 1]; row += rows) {
                if (tiles == tileSeq.length || tiles == tileRow.length) {
                    throw new IllegalArgumentException("prefill tile arrays hold " + Math.min(tileSeq.length, tileRow.length)
                            + " tiles, the step needs more; size them with maxPrefillTiles");
                }
                tileSeq[tiles] = s;
                tileRow[tiles++] = row;
            }
        }
        return tiles;
    }

    /** Upper bound of {@link #prefillTiles} for a step of {@code tokens} tokens in {@code seqs} sequences. */
    public static int maxPrefillTiles(int tokens, int seqs) {
        return tokens / prefillTileRows() + seqs;
    }

    public void prefillAttention(CudaStream s, AttentionGeometry g, PrefillAttention a) {
        prefill.launch(s, g, a);
    }

    /** out bf16 (tokens, inter) = silu(gate) · up, gateUp bf16 (tokens, 2·inter): gate columns first. */
    public void siluMul(CudaStream s, long gateUp, long out, int tokens, int inter) {
        elementwise.siluMul(s, gateUp, out, tokens, inter);
    }

    /** For each pair (src, dst) in int32 pairs (2n): block src -> dst, K and V, in each of numLayers layers. */
    public void copyBlocks(CudaStream s, long keyPool, long valuePool, long pairs, int n, int numLayers,
                           long layerStrideBytes, long blockBytes) {
        elementwise.copyBlocks(s, keyPool, valuePool, pairs, n, numLayers, layerStrideBytes, blockBytes);
    }

    public void sample(CudaStream s, SamplingBatch b) {
        sampling.launch(s, b);
    }

    @Override
    public void close() {
        loaded.close();
    }
}
