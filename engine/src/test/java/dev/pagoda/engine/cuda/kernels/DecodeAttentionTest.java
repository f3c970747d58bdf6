package dev.pagoda.engine.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pagoda.engine.cuda.RequiresCuda;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Decode attention (one query token per sequence) against the CPU backend's PagedAttention, every
 * scenario on both kernels ({@link DecodeKernelChoice#LEGACY} and {@link DecodeKernelChoice#V2}):
 * block sizes 8/16/32, GQA ratios 1/4/7/8/16 (16 takes two CTAs per KV head), head dims
 * 16/32/64/128/256, contexts 1 to 8192 around the 16-key tile, 512-key chunk and split edges, block
 * tables with holes, shuffled ids, a shared prefix and garbage past the end, sliding windows, and
 * block tables long enough to force partitions of more than one chunk. The few-sequence scenarios
 * take the split path (with the reduce pass); the "manySequences" ones have enough work items to
 * take the unsplit path on any GPU of up to 150 SMs, which each asserts. Tolerance:
 * {@link AttentionTolerance}.
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
        check(PagedScenario.create(12, 8, 2, 16, 8, 0, 0, new int[] {3, 130}, new int[] {1, 1})); // group 4 > 2 heads per legacy CTA
        check(PagedScenario.create(13, 8, 4, 32, 16, 0, 0, new int[] {2, 65, 1030}, new int[] {1, 1, 1}));
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

    @Test
    void manySequencesLlama3ShapeBlockSize16() {
        // 48 sequences x 8 KV heads = 384 work items (a large decode batch of Llama-3-8B)
        checkUnsplit(PagedScenario.create(14, 32, 8, 128, 16, 0, 0, randomContexts(14, 48, 2500), ones(48)));
    }

    @Test
    void manySequencesMultiHeadDim64BlockSize8WithLongContexts() {
        // GQA 1: 40 x 8 = 320 work items; a few sequences up to the 8k edge among short ones
        int[] contexts = randomContexts(15, 40, 300);
        System.arraycopy(new int[] {8192, 5000, 2049, 1, 16, 17}, 0, contexts, 0, 6);
        checkUnsplit(PagedScenario.create(15, 8, 8, 64, 8, 0, 0, contexts, ones(40)));
    }

    @Test
    void manySequencesGqa8Dim256BlockSize32() {
        // 16 heads over 2 KV heads: 150 x 2 = 300 work items
        checkUnsplit(PagedScenario.create(16, 16, 2, 256, 32, 0, 0, randomContexts(16, 150, 400), ones(150)));
    }

    @Test
    void manySequencesSlidingWindow() {
        checkUnsplit(PagedScenario.create(17, 32, 8, 128, 16, 100, 0, randomContexts(17, 40, 1500), ones(40)));
        checkUnsplit(PagedScenario.create(18, 8, 8, 64, 32, 700, 2, randomContexts(18, 40, 2000), ones(40)));
    }

    @Test
    void manySequencesGqa16AndTinyHeads() {
        // GQA 16 takes two CTAs per KV head in both kernels: 150 x 1 x 2 = 300 work items
        checkUnsplit(PagedScenario.create(19, 16, 1, 128, 16, 0, 0, randomContexts(19, 150, 300), ones(150)));
        checkUnsplit(PagedScenario.create(20, 8, 4, 32, 16, 0, 0, randomContexts(20, 80, 700), ones(80)));
    }

    /** {@code n} contexts uniform in [1, max], seeded. */
    private static int[] randomContexts(long seed, int n, int max) {
        Random random = new Random(seed);
        int[] contexts = new int[n];
        for (int i = 0; i < n; i++) contexts[i] = 1 + random.nextInt(max);
        return contexts;
    }

    private static int[] ones(int n) {
        int[] v = new int[n];
        Arrays.fill(v, 1);
        return v;
    }

    /** As {@link #check}, first asserting that both kernels plan a single split for this batch on this GPU. */
    private void checkUnsplit(PagedScenario scenario) {
        var g = scenario.geometry();
        int seqs = scenario.contexts().length, groupSize = g.numHeads() / g.numKvHeads();
        int sms = gpu.device().multiprocessors();
        long legacyItems = (long) seqs * g.numKvHeads() * Math.ceilDiv(groupSize, DecodeAttentionKernel.groupTile(groupSize, g.headDim()));
        long v2Items = (long) seqs * g.numKvHeads() * Math.ceilDiv(groupSize, DecodeAttentionV2Kernel.HEADS_PER_CTA);
        assertEquals(1, DecodeSplits.plan(g, legacyItems, sms).splits(), "legacy takes the unsplit path: " + scenario.describe());
        assertEquals(1, DecodeSplits.plan(g, v2Items, sms).splits(), "v2 takes the unsplit path: " + scenario.describe());
        check(scenario);
    }

    /** One CPU reference, compared with each kernel's output; every kernel's result is reported. */
    private void check(PagedScenario scenario) {
        float[] expected = scenario.reference(gpu.parallel());
        Executable[] perKernel = Arrays.stream(DecodeKernelChoice.values()).map(choice -> (Executable) () -> {
            try (DeviceArrays d = new DeviceArrays(gpu.device())) {
                float[] got = scenario.runOnGpu(gpu.kernels(choice), d);
                Tolerance.assertClose(expected, got, AttentionTolerance.ATOL, AttentionTolerance.RTOL,
                        choice.propertyValue() + " decode kernel, " + scenario.describe());
            }
        }).toArray(Executable[]::new);
        assertAll(perKernel);
    }
}
