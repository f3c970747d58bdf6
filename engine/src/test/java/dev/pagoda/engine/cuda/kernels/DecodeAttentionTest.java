package dev.pagoda.engine.cuda.kernels;

import dev.pagoda.engine.cuda.RequiresCuda;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Decode attention (one query token per sequence) against the CPU backend's PagedAttention:
 * block sizes 8/16/32, GQA ratios 1/4/7/8/16 (16 takes two CTAs per KV head), head dims
 * 64/128/256, contexts 1 to 8192 around the 512-key chunk and split edges, block tables with
 * holes, shuffled ids, a shared prefix and garbage past the end, sliding windows, and block tables
 * long enough to force partitions of more than one chunk. Tolerance: {@link AttentionTolerance}.
 */
@RequiresCuda
class DecodeAttentionTest {

    private static final int[] ALL_DECODE = {1, 1, 1, 1, 1, 1, 1, 1, 1};

    @RegisterExtension
    static final GpuKernelFixture gpu = new GpuKernelFixture();


    @Test
    void llama3ShapeGqa4AcrossContextLengths() {
        check(PagedScenario.create(1, 32, 8, 128, 16, 0, 0, new int[] {1, 2, 17, 511, 512, 513, 1025, 3000, 8192}, ALL_DECODE));
    }

    @Test
    void multiHeadBlockSize8SmallHeads() {
        check(PagedScenario.create(2, 8, 8, 64, 8, 0, 3, new int[] {5, 64, 700, 1500}, new int[] {1, 1, 1, 1}));
    }

    @Test
    void gqa8BlockSize32() {
        check(PagedScenario.create(3, 32, 4, 128, 32, 0, 0, new int[] {33, 1000, 4097}, new int[] {1, 1, 1}));
    }

    @Test
    void gqa7AndGqa16UseHeadChunks() {
        check(PagedScenario.create(4, 14, 2, 64, 16, 0, 0, new int[] {9, 800, 2049}, new int[] {1, 1, 1}));
        check(PagedScenario.create(5, 16, 1, 128, 16, 0, 0, new int[] {300, 1600}, new int[] {1, 1}));
    }

    @Test
    void smallHeadsOfTinyModels() {
        check(PagedScenario.create(11, 4, 2, 16, 16, 0, 0, new int[] {1, 7, 96, 600}, new int[] {1, 1, 1, 1}));
        check(PagedScenario.create(12, 8, 2, 16, 8, 0, 0, new int[] {3, 130}, new int[] {1, 1})); // group 4 > 2 heads per CTA
        check(PagedScenario.create(13, 8, 4, 32, 16, 0, 0, new int[] {2, 65, 1030}, new int[] {1, 1, 1}));
    }

    @Test
    void manySequencesTakeTheUnsplitPath() {
        // 48 sequences x 8 KV heads = 384 work items: enough to fill an H100/H200 without splitting the KV length
        Random random = new Random(14);
        int[] contexts = new int[48];
        int[] queries = new int[48];
        for (int i = 0; i < contexts.length; i++) {
            contexts[i] = 1 + random.nextInt(2500);
            queries[i] = 1;
        }
        check(PagedScenario.create(14, 32, 8, 128, 16, 0, 0, contexts, queries));
    }

    @Test
    void headDim256() {
        check(PagedScenario.create(6, 4, 2, 256, 16, 0, 0, new int[] {3, 520, 1100}, new int[] {1, 1, 1}));
    }

    @Test
    void slidingWindowSkipsWholeSplits() {
        check(PagedScenario.create(7, 8, 2, 128, 16, 100, 0, new int[] {50, 100, 101, 1500, 2500}, new int[] {1, 1, 1, 1, 1}));
        check(PagedScenario.create(8, 8, 2, 128, 8, 700, 0, new int[] {699, 1200, 5000}, new int[] {1, 1, 1}));
    }

    @Test
    void longBlockTablesUseMultiChunkPartitions() {
        // 3000 extra entries of 8 tokens: reach 24k+ keys -> 1024-key partitions of two chunks each
        check(PagedScenario.create(9, 8, 2, 128, 8, 0, 3000, new int[] {1, 1023, 1024, 1025, 6000}, new int[] {1, 1, 1, 1, 1}));
    }

    private void check(PagedScenario scenario) {
        float[] expected = scenario.reference(gpu.parallel());
        try (DeviceArrays d = new DeviceArrays(gpu.device())) {
            float[] got = scenario.runOnGpu(gpu.kernels(), d);
            Tolerance.assertClose(expected, got, AttentionTolerance.ATOL, AttentionTolerance.RTOL, scenario.describe());
        }
    }
}
