package dev.pagoda.engine.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertAll;

import dev.pagoda.engine.cuda.RequiresCuda;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;

/**
 * Prefill and mixed-batch attention (decode rows of the same batch go through the decode kernel)
 * against the CPU backend's PagedAttention, every scenario on both prefill kernels
 * ({@link PrefillKernelChoice#LEGACY} and {@link PrefillKernelChoice#V2}, the latter also forced to
 * its instantiation with the most heads per CTA): prompts from 2 tokens to a full 64-row tile and
 * past it, 2048-row chunks, chunked prefill on top of cached context (up to 8k), block sizes
 * 8/16/32, GQA 1/2/3/4/8 (odd groups take v2's one-head CTAs, groups of 2 its two-head ones, of 4
 * and 8 its four-head ones), head dims 16 to 256, sliding windows cutting through cached prefixes,
 * ragged random batches of 1..300 query rows, holes and a shared prefix in the block tables.
 * Tolerance: {@link AttentionTolerance} (both kernels round the probabilities to bf16 for P·V).
 */
@RequiresCuda
class PrefillAttentionTest {

    @RegisterExtension
    static final GpuKernelFixture gpu = new GpuKernelFixture();

    @Test
    void promptsAroundTileEdges() {
        check(PagedScenario.create(21, 8, 2, 128, 16, 0, 0, new int[] {2, 63, 64, 65, 200}, new int[] {2, 63, 64, 65, 200}));
    }

    @Test
    void chunkedPrefillOnCachedContextMixedWithDecodes() {
        check(PagedScenario.create(22, 16, 4, 128, 32, 0, 2,
                new int[] {700, 8192, 40, 1000}, new int[] {200, 64, 1, 1}));
    }

    @Test
    void tinyModelHeads16And32() {
        check(PagedScenario.create(31, 4, 2, 16, 16, 0, 0, new int[] {7, 33, 96}, new int[] {7, 33, 96}));
        check(PagedScenario.create(32, 8, 4, 32, 16, 0, 0, new int[] {5, 100}, new int[] {5, 60}));
    }

    @Test
    void multiHeadSmallHeadsBlockSize8() {
        check(PagedScenario.create(23, 4, 4, 64, 8, 0, 0, new int[] {130, 77}, new int[] {130, 30}));
    }

    @Test
    void gqa8AndHeadDim256() {
        check(PagedScenario.create(24, 16, 2, 128, 16, 0, 0, new int[] {150, 333}, new int[] {150, 100}));
        check(PagedScenario.create(25, 4, 2, 256, 16, 0, 0, new int[] {97, 300}, new int[] {97, 70}));
    }

    @Test
    void slidingWindow() {
        check(PagedScenario.create(26, 8, 2, 128, 16, 50, 0, new int[] {130, 600, 2000}, new int[] {130, 100, 1}));
        check(PagedScenario.create(27, 4, 1, 64, 8, 64, 0, new int[] {64, 65, 129}, new int[] {64, 65, 129}));
    }

    @Test
    void chunkOf2048RowsAfter6144CachedTokensGqa4() {
        check(PagedScenario.create(41, 8, 2, 128, 16, 0, 0, new int[] {8192, 700}, new int[] {2048, 64}));
    }

    @Test
    void freshPromptsOf2048RowsGqa8HeadDim64BlockSize8() {
        check(PagedScenario.create(42, 16, 2, 64, 8, 0, 0, new int[] {2048, 1000}, new int[] {2048, 1000}));
    }

    @Test
    void longCachedPrefixesGqa8BlockSize32AndGqa4HeadDim256() {
        check(PagedScenario.create(43, 16, 2, 128, 32, 0, 1, new int[] {6000, 3001, 4500}, new int[] {300, 129, 1}));
        check(PagedScenario.create(44, 8, 2, 256, 32, 0, 0, new int[] {5000, 190}, new int[] {260, 190}));
    }

    @Test
    void oddGroupsAndMultiHeadTakeOneHeadPerCta() {
        check(PagedScenario.create(45, 6, 2, 128, 16, 0, 0, new int[] {1500, 77}, new int[] {200, 77}));
        check(PagedScenario.create(46, 4, 4, 256, 8, 0, 0, new int[] {400, 66}, new int[] {131, 66}));
    }

    @Test
    void slidingWindowsCuttingThroughCachedPrefixes() {
        check(PagedScenario.create(47, 8, 2, 64, 32, 100, 0, new int[] {3000, 250, 900}, new int[] {300, 250, 1}));
        check(PagedScenario.create(48, 8, 4, 256, 16, 700, 0, new int[] {2600, 1000}, new int[] {520, 65}));
        check(PagedScenario.create(49, 6, 3, 128, 8, 64, 0, new int[] {200, 128}, new int[] {127, 128})); // group 2, window = tile
    }

    @Test
    void raggedRandomBatches() {
        int[] headDims = {64, 128, 256, 32};
        int[] blockSizes = {8, 16, 32};
        int[][] heads = {{8, 2}, {16, 2}, {6, 2}, {4, 4}}; // GQA 4, 8, 3, 1
        for (int seed = 0; seed < 8; seed++) {
            Random r = new Random(500 + seed);
            int seqs = 2 + r.nextInt(5);
            int[] queryLens = new int[seqs], contexts = new int[seqs];
            for (int s = 0; s < seqs; s++) {
                queryLens[s] = r.nextInt(4) == 0 ? 1 : 1 + r.nextInt(300);
                contexts[s] = queryLens[s] + (r.nextBoolean() ? 0 : r.nextInt(1200));
            }
            int[] h = heads[seed % heads.length];
            int window = seed % 3 == 2 ? 1 + r.nextInt(400) : 0;
            check(PagedScenario.create(500 + seed, h[0], h[1], headDims[seed % headDims.length], blockSizes[seed % blockSizes.length],
                    window, r.nextInt(3), contexts, queryLens), "seed " + (500 + seed) + ": ");
        }
    }

    private void check(PagedScenario scenario) {
        check(scenario, "");
    }

    /**
     * One CPU reference, compared with the output of each prefill kernel as the engine runs it
     * (legacy, v2) and of v2 with the most heads per CTA (small test batches would otherwise take
     * its one-head CTAs to fill the GPU); every kernel's result is reported.
     */
    private void check(PagedScenario scenario, String label) {
        float[] expected = scenario.reference(gpu.parallel());
        Executable[] perKernel = new Executable[PrefillKernelChoice.values().length + 1];
        for (PrefillKernelChoice choice : PrefillKernelChoice.values()) {
            perKernel[choice.ordinal()] = () -> compare(expected, scenario, gpu.kernels(choice)::prefillAttention,
                    label + choice.propertyValue() + " prefill kernel, ");
        }
        perKernel[perKernel.length - 1] = () -> compare(expected, scenario, gpu.prefillV2MostHeadsPerCta(),
                label + "v2 prefill kernel with the most heads per CTA, ");
        assertAll(perKernel);
    }

    private void compare(float[] expected, PagedScenario scenario, PrefillAttentionLauncher prefill, String label) {
        try (DeviceArrays d = new DeviceArrays(gpu.device())) {
            float[] got = scenario.runOnGpu(gpu.kernels(), prefill, d);
            Tolerance.assertClose(expected, got, AttentionTolerance.ATOL, AttentionTolerance.RTOL, label + scenario.describe());
        }
    }
}
