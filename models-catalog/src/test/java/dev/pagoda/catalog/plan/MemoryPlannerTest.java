package dev.pagoda.catalog.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.catalog.config.Architecture;
import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.tensor.DType;
import org.junit.jupiter.api.Test;

/** Every expected number below is worked out by hand in the comment beside it. */
class MemoryPlannerTest {

    private static final long GIB = 1L << 30;

    /** Meta-Llama-3-8B's config.json. */
    private static final ModelSpec LLAMA3_8B = ModelSpec.builder(Architecture.LLAMA)
            .hiddenSize(4096).numLayers(32).numHeads(32).numKvHeads(8).intermediateSize(14336).vocabSize(128256)
            .rmsNormEps(1e-5).ropeTheta(500000.0).maxPositionEmbeddings(8192).torchDtype("bfloat16")
            .bosTokenIds(128000).eosTokenIds(128001)
            .build();

    /** Qwen2.5-0.5B's config.json (q/k/v biases, tied embeddings). */
    private static final ModelSpec QWEN25_05B = ModelSpec.builder(Architecture.QWEN2)
            .hiddenSize(896).numLayers(24).numHeads(14).numKvHeads(2).intermediateSize(4864).vocabSize(151936)
            .rmsNormEps(1e-6).ropeTheta(1000000.0).maxPositionEmbeddings(32768).tieWordEmbeddings(true).torchDtype("bfloat16")
            .bosTokenIds(151643).eosTokenIds(151643).attentionBias(true)
            .build();

    @Test
    void llama3KvBytesPerToken() {
        // 2 (K, V) × 32 layers × 8 KV heads × 128 dims × 2 bytes = 131,072 = 128 KiB.
        assertEquals(131_072, MemoryPlanner.kvBytesPerToken(LLAMA3_8B, DType.BF16));
        assertEquals(131_072, MemoryPlanner.kvBytesPerToken(LLAMA3_8B, DType.F16));
        assertEquals(262_144, MemoryPlanner.kvBytesPerToken(LLAMA3_8B, DType.F32));
    }

    @Test
    void llama3Bf16Weights() {
        // Per layer: attention 4096·4096 (q) + 2·4096·1024 (k, v) + 4096·4096 (o) = 41,943,040;
        // MLP 3·4096·14336 = 176,160,768; norms 2·4096 = 8,192 → 218,112,000; × 32 = 6,979,584,000.
        // Embedding and untied lm_head 2 · 128,256·4096 = 1,050,673,152; final norm 4,096.
        // Total 8,030,261,248 parameters × 2 bytes = 16,060,522,496.
        assertEquals(16_060_522_496L, MemoryPlanner.weightBytes(LLAMA3_8B, DType.BF16));
        assertEquals(32_121_044_992L, MemoryPlanner.weightBytes(LLAMA3_8B, DType.F32));
    }

    @Test
    void qwen25Shape() {
        // KV: 2 × 24 layers × 2 KV heads × 64 dims × 2 bytes = 12,288 bytes per token.
        assertEquals(12_288, MemoryPlanner.kvBytesPerToken(QWEN25_05B, DType.BF16));
        // Per layer: q 896·896 = 802,816; k, v 2·896·128 = 229,376; o 802,816; biases 896 + 2·128 = 1,152;
        // MLP 3·896·4864 = 13,074,432; norms 1,792 → 14,912,384; × 24 = 357,897,216.
        // Tied embedding 151,936·896 = 136,134,656; final norm 896. Total 494,032,768 × 2 = 988,065,536.
        assertEquals(988_065_536L, MemoryPlanner.weightBytes(QWEN25_05B, DType.BF16));
    }

    @Test
    void llama3Q4_0() {
        // 1-D tensors stay F32: norms 32·2·4096 + 4096 = 266,240 elements × 4 = 1,064,960 bytes.
        // Matrices: 8,030,261,248 − 266,240 = 8,029,995,008 elements; every row (4096 or 14336) is a
        // multiple of 32, so 8,029,995,008 / 32 = 250,937,344 blocks × 18 bytes = 4,516,872,192.
        // Total 4,517,937,152.
        assertEquals(4_517_937_152L, MemoryPlanner.weightBytes(LLAMA3_8B, DType.Q4_0));
    }

    @Test
    void qwen25Q4_KFallsBackToQ8_0ForRowsOf896() {
        // Rows of 896 are not whole 256-element K-quant blocks → Q8_0: 28 blocks × 34 = 952 bytes per row.
        //   q 896 rows + k, v 128 rows each + o 896 rows + gate, up 4864 rows each
        //   = (896 + 256 + 896 + 9728) rows × 952 = 11,776 × 952 = 11,210,752.
        // down: 896 rows of 4864 = 19 Q4_K blocks × 144 = 2,736 bytes → 2,451,456.
        // F32: norms 1,792 + biases 1,152 = 2,944 × 4 = 11,776.
        // Per layer 13,673,984 × 24 = 328,175,616; tied embedding 151,936 rows × 952 = 144,643,072;
        // final norm 3,584. Total 472,822,272.
        assertEquals(472_822_272L, MemoryPlanner.weightBytes(QWEN25_05B, DType.Q4_K));
    }

    @Test
    void llama3OnAn80GiBCardAt90Percent() {
        MemoryPlan plan = MemoryPlanner.plan(
                new MemoryPlanRequest(LLAMA3_8B, DType.BF16, DType.BF16, 80 * GIB, 0.9, 16, GIB));
        // usable = 80 GiB × 0.9 = 85,899,345,920 × 0.9 = 77,309,411,328.
        assertEquals(77_309_411_328L, plan.usableBytes());
        // budget = 77,309,411,328 − 16,060,522,496 (weights) − 1,073,741,824 (reserve) = 60,175,147,008.
        assertEquals(60_175_147_008L, plan.kvBudgetBytes());
        // block = 16 tokens × 131,072 = 2,097,152 bytes; 60,175,147,008 / 2,097,152 = 28,693.75 → 28,693.
        assertEquals(2_097_152L, plan.kvBytesPerBlock());
        assertEquals(28_693, plan.numBlocks());
        assertEquals(459_088, plan.maxCachedTokens()); // 28,693 × 16
        // 8192-token sequences need 512 blocks: 28,693 / 512 = 56.04 → 56; 4096 → 256 blocks → 112.
        assertEquals(56, plan.maxConcurrentSequences(8192));
        assertEquals(112, plan.maxConcurrentSequences(4096));
        // 1000 tokens need ceil(1000 / 16) = 63 blocks: 28,693 / 63 = 455.4 → 455.
        assertEquals(455, plan.maxConcurrentSequences(1000));
        assertTrue(plan.fits());
        assertNull(plan.problem());
    }

    @Test
    void tooSmallSaysHowMuchMoreItNeeds() {
        MemoryPlan plan = MemoryPlanner.plan(
                new MemoryPlanRequest(LLAMA3_8B, DType.BF16, DType.BF16, 16 * GIB, 0.9, 16, GIB));
        // usable = floor(17,179,869,184 × 0.9) = 15,461,882,265; − 16,060,522,496 − 1,073,741,824
        // = −1,672,382,055 bytes = −1.5575 GiB.
        assertEquals(-1_672_382_055L, plan.kvBudgetBytes());
        assertEquals(0, plan.numBlocks());
        assertEquals(0, plan.maxCachedTokens());
        assertEquals(0, plan.maxConcurrentSequences(8192));
        assertFalse(plan.fits());
        assertTrue(plan.problem().startsWith("does not fit: needs 1.56 GiB more"), plan.problem());
    }

    @Test
    void roomForLessThanOneBlockDoesNotFit() {
        // Qwen2.5-0.5B bf16 weights 988,065,536 + reserve 0 in exactly that much memory + 1,000 bytes:
        // a block of 16 tokens needs 196,608 bytes, so 195,608 more are needed (0.00 GiB rounded).
        long memory = 988_065_536L + 1_000;
        MemoryPlan plan = MemoryPlanner.plan(new MemoryPlanRequest(QWEN25_05B, DType.BF16, DType.BF16, memory, 1.0, 16, 0));
        assertEquals(1_000, plan.kvBudgetBytes());
        assertEquals(0, plan.numBlocks());
        assertFalse(plan.fits());
        assertTrue(plan.problem().contains("less than one block of 16 tokens"), plan.problem());
    }

    @Test
    void badRequestsNameTheProblem() {
        var kv = assertThrows(IllegalArgumentException.class,
                () -> new MemoryPlanRequest(LLAMA3_8B, DType.BF16, DType.Q8_0, GIB, 0.9, 16, 0));
        assertEquals("KV cache dtype Q8_0 is not supported; use F32, F16 or BF16", kv.getMessage());
        var util = assertThrows(IllegalArgumentException.class,
                () -> new MemoryPlanRequest(LLAMA3_8B, DType.BF16, DType.BF16, GIB, 1.5, 16, 0));
        assertEquals("utilization must be in (0, 1], got 1.5", util.getMessage());
        var weight = assertThrows(IllegalArgumentException.class, () -> MemoryPlanner.weightBytes(LLAMA3_8B, DType.I8));
        assertTrue(weight.getMessage().startsWith("weight dtype I8 is not supported"), weight.getMessage());
    }
}
