package dev.pagoda.engine.cuda.kernels;

import dev.pagoda.engine.cuda.CudaStream;
import dev.pagoda.engine.cuda.Dim3;
import dev.pagoda.engine.cuda.KernelArgs;
import java.util.ArrayList;
import java.util.List;

/**
 * The FlashAttention-2-style prefill attention ({@link PrefillKernelChoice#V2}):
 * {@code prefill_attention_v2_d<DH>_h<HG>} over (query heads / HG, tiles), 4 · HG warps, same
 * arguments and host tiles ({@link PrefillAttentionKernel#TILE_ROWS} query rows) as the legacy kernel.
 *
 * <p>A CTA takes one tile's rows for {@link #headsPerCta HG} query heads of one KV group, so every
 * K/V tile it streams in (cp.async, block-table gather) serves HG heads; each warp keeps 16 rows'
 * scores, probabilities and output accumulator in registers (mma.sync m16n8k16 bf16 → f32).
 */
final class PrefillAttentionV2Kernel implements PrefillAttentionLauncher {

    /** Query heads per CTA the source instantiates. */
    static final int[] HEAD_GROUPS = {1, 2};
    private static final int MAX_GRID_Y = 65_535;
    static final KernelSource SOURCE = new KernelSource("prefill_attention_v2.cu", functionNames());

    private final LoadedKernels kernels;
    private final KernelArgs args = new KernelArgs(16);

    PrefillAttentionV2Kernel(LoadedKernels kernels) {
        this.kernels = kernels;
        for (int d : DecodeAttentionKernel.HEAD_DIMS) {
            for (int hg : HEAD_GROUPS) {
                int bytes = sharedBytes(d, hg);
                if (bytes > 48 * 1024) kernels.function(name(d, hg)).setMaxDynamicSharedBytes(bytes);
            }
        }
    }

    private static List<String> functionNames() {
        List<String> names = new ArrayList<>();
        for (int d : DecodeAttentionKernel.HEAD_DIMS) for (int hg : HEAD_GROUPS) names.add(name(d, hg));
        return names;
    }

    static String name(int headDim, int headsPerCta) {
        return "prefill_attention_v2_d" + headDim + "_h" + headsPerCta;
    }

    /** Two heads per CTA where the KV group splits evenly into pairs (K/V read once per pair), else one. */
    static int headsPerCta(int groupSize) {
        return groupSize % 2 == 0 ? 2 : 1;
    }

    /** Keys per K/V tile; equals {@code PrefillV2<DH, HG>::KT}. */
    static int keyTile(int headDim) {
        return headDim <= 128 ? 64 : 32;
    }

    /**
     * Dynamic shared memory of one CTA, equal to {@code PrefillV2<DH, HG>::SMEM}: the bf16 Q rows
     * of its HG heads ([HG · 64][headDim]), then two stages of a K and a V tile ([keyTile][headDim] each).
     */
    static int sharedBytes(int headDim, int headsPerCta) {
        int q = headsPerCta * PrefillAttentionKernel.TILE_ROWS * headDim * 2;
        int stage = 2 * keyTile(headDim) * headDim * 2;
        return q + 2 * stage;
    }

    @Override
    public void launch(CudaStream s, CudaKernels.AttentionGeometry g, CudaKernels.PrefillAttention a) {
        if (!PrefillAttentionKernel.checkArguments(g, a)) return;
        if (a.numTiles() > MAX_GRID_Y) {
            throw new IllegalArgumentException("prefillAttention numTiles " + a.numTiles() + " exceeds the v2 kernel's "
                    + MAX_GRID_Y + " (grid.y); use -D" + PrefillKernelChoice.PROPERTY + "=legacy");
        }
        int hg = headsPerCta(g.numHeads() / g.numKvHeads());
        PrefillAttentionKernel.kernelArgs(args, g, a);
        // head items fastest: the CTAs of one tile, which read the same K/V blocks, run side by side
        kernels.function(name(g.headDim(), hg)).launch(s, Dim3.of(g.numHeads() / hg, a.numTiles()),
                Dim3.of(32 * 4 * hg), sharedBytes(g.headDim(), hg), args);
    }
}
