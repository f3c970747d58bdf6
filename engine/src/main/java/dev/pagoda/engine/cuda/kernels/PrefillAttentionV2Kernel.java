package dev.pagoda.engine.cuda.kernels;

import dev.pagoda.engine.cuda.CudaStream;
import dev.pagoda.engine.cuda.Dim3;
import dev.pagoda.engine.cuda.KernelArgs;
import java.util.ArrayList;
import java.util.List;

/**
 * The FlashAttention-2-style prefill attention ({@link PrefillKernelChoice#V2}):
 * {@code prefill_attention_v2_d<DH>_h<HG>_m<MT>} over (query heads / HG, tiles), same arguments and
 * host tiles ({@link PrefillAttentionKernel#TILE_ROWS} query rows) as the legacy kernel.
 *
 * <p>A CTA takes one tile's rows for HG query heads of one KV group, so every K/V tile it streams
 * in (cp.async, block-table gather) serves HG heads; each warp keeps the scores, probabilities and
 * output accumulator of 16·MT rows of one head in registers (mma.sync m16n8k16 bf16 → f32), and
 * each K/V fragment it loads feeds MT m-tiles. See {@link #variant} for which instantiation runs.
 */
final class PrefillAttentionV2Kernel implements PrefillAttentionLauncher {

    /**
     * One instantiation: {@code heads} query heads per CTA (HG), {@code mTiles} 16-row m-tiles per
     * warp (MT); 4·HG/MT warps per CTA.
     */
    record Variant(int heads, int mTiles) {
        int threads() {
            return 32 * 4 * heads / mTiles;
        }
    }

    private static final int MAX_GRID_Y = 65_535;
    static final KernelSource SOURCE = new KernelSource("prefill_attention_v2.cu", functionNames());

    private final LoadedKernels kernels;
    private final KernelArgs args = new KernelArgs(16);
    private final int multiprocessors;

    PrefillAttentionV2Kernel(LoadedKernels kernels, int multiprocessors) {
        this.kernels = kernels;
        this.multiprocessors = multiprocessors;
        for (int d : DecodeAttentionKernel.HEAD_DIMS) {
            for (Variant v : variants(d)) {
                int bytes = sharedBytes(d, v);
                if (bytes > 48 * 1024) kernels.function(name(d, v)).setMaxDynamicSharedBytes(bytes);
            }
        }
    }

    /**
     * The instantiations of a head dim, most K/V sharing first: 4 heads of 2 m-tiles per warp
     * (8 warps; FlashAttention-2's 32 rows per warp), 2 heads of 2 m-tiles (4 warps), 1 head of one
     * m-tile (4 warps). At head dim 256 a warp's 16 rows already hold 128 accumulator registers, so
     * the warps keep one m-tile and a CTA at most 2 heads.
     */
    static List<Variant> variants(int headDim) {
        return headDim <= 128 ? List.of(new Variant(4, 2), new Variant(2, 2), new Variant(1, 1))
                : List.of(new Variant(2, 1), new Variant(1, 1));
    }

    private static List<String> functionNames() {
        List<String> names = new ArrayList<>();
        for (int d : DecodeAttentionKernel.HEAD_DIMS) for (Variant v : variants(d)) names.add(name(d, v));
        return names;
    }

    static String name(int headDim, Variant v) {
        return "prefill_attention_v2_d" + headDim + "_h" + v.heads() + "_m" + v.mTiles();
    }

    /**
     * The instantiation for a launch: the most heads per CTA that divide the KV group and still
     * give every SM a CTA (a short chunk after a long cached prefix has few tiles; fewer heads per
     * CTA then spread it over more SMs), else one head per CTA.
     */
    static Variant variant(int headDim, int groupSize, long tiles, int numHeads, int multiprocessors) {
        List<Variant> all = variants(headDim);
        for (Variant v : all) {
            if (groupSize % v.heads() == 0 && tiles * (numHeads / v.heads()) >= multiprocessors) return v;
        }
        return all.getLast();
    }

    /** Keys per K/V tile; equals {@code PrefillV2<DH, HG, MT>::KT}: S (16·MT × keys) beside O (16·MT × headDim). */
    static int keyTile(int headDim, Variant v) {
        return headDim * v.mTiles() <= 128 ? 64 : 32;
    }

    /** K/V tiles in the ring; equals {@code PrefillV2<DH, HG, MT>::STAGES}: a third for the half-length tiles of two m-tiles. */
    static int stages(Variant v) {
        return v.mTiles() == 2 ? 3 : 2;
    }

    /**
     * Dynamic shared memory of one CTA, equal to {@code PrefillV2<DH, HG, MT>::SMEM}: the bf16 Q
     * rows of its heads ([HG · 64][headDim]), then the ring's stages of a K and a V tile ([keyTile][headDim] each).
     */
    static int sharedBytes(int headDim, Variant v) {
        int q = v.heads() * PrefillAttentionKernel.TILE_ROWS * headDim * 2;
        int stage = 2 * keyTile(headDim, v) * headDim * 2;
        return q + stages(v) * stage;
    }

    @Override
    public void launch(CudaStream s, CudaKernels.AttentionGeometry g, CudaKernels.PrefillAttention a) {
        if (!PrefillAttentionKernel.checkArguments(g, a)) return;
        if (a.numTiles() > MAX_GRID_Y) {
            throw new IllegalArgumentException("prefillAttention numTiles " + a.numTiles() + " exceeds the v2 kernel's "
                    + MAX_GRID_Y + " (grid.y); use -D" + PrefillKernelChoice.PROPERTY + "=legacy");
        }
        Variant v = variant(g.headDim(), g.numHeads() / g.numKvHeads(), a.numTiles(), g.numHeads(), multiprocessors);
        PrefillAttentionKernel.kernelArgs(args, g, a);
        // head items fastest: the CTAs of one tile, which read the same K/V blocks, run side by side
        kernels.function(name(g.headDim(), v)).launch(s, Dim3.of(g.numHeads() / v.heads(), a.numTiles()),
                Dim3.of(v.threads()), sharedBytes(g.headDim(), v), args);
    }
}
