package dev.pagoda.engine.cuda.kernels;

import dev.pagoda.engine.cuda.RequiresCuda;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Prefill and mixed-batch attention (tensor-core tiles; decode rows of the same batch go through
 * the decode kernel) against the CPU backend's PagedAttention: prompts from 2 tokens to a full
 * tile and past it, chunked prefill on top of cached context (up to 8k), block sizes 8/16/32,
 * GQA 1/4/8, head dims 64/128/256, sliding windows, holes and a shared prefix in the block
 * tables. Tolerance: {@link AttentionTolerance}.
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

    private void check(PagedScenario scenario) {
        float[] expected = scenario.reference(gpu.parallel());
        try (DeviceArrays d = new DeviceArrays(gpu.device())) {
            float[] got = scenario.runOnGpu(gpu.kernels(), d);
            Tolerance.assertClose(expected, got, AttentionTolerance.ATOL, AttentionTolerance.RTOL, scenario.describe());
        }
    }
}
