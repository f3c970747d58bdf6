package dev.pagoda.engine.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.engine.cuda.DeviceBuffer;
import dev.pagoda.engine.cuda.RequiresCuda;
import dev.pagoda.engine.sample.Sampler;
import dev.pagoda.engine.sample.SamplerVocab;
import dev.pagoda.engine.sample.SamplingParams;
import dev.pagoda.engine.sample.SamplingState;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * GPU sampling against the CPU Sampler. Greedy: the same token id as Sampler (ties to the lowest
 * id). Random: 65,536 draws of one row over distinct counters, compared with the filtered
 * distribution ({@link FilteredDistribution}; itself checked against 20,000 CPU Sampler draws):
 * no draw outside the kept set, and total variation within twice its expected sampling error plus
 * 4/sqrt(n). Independence: a row's draw depends only on its own logits, seed and counter.
 */
@RequiresCuda
class SamplingKernelTest {

    private static final int VOCAB = 1000;
    private static final int GPU_DRAWS = 65_536;
    private static final int BATCH = 8192;
    private static final int CPU_DRAWS = 20_000;

    @RegisterExtension
    static final GpuKernelFixture gpu = new GpuKernelFixture();


    @Test
    void greedyMatchesCpuSamplerIncludingTies() {
        int rows = 64;
        Random r = new Random(5);
        float[] logits = new float[rows * VOCAB];
        for (int i = 0; i < logits.length; i++) logits[i] = (float) r.nextGaussian() * 3;
        for (int row = 0; row < rows; row += 3) { // a tie for the max: the lower id wins
            int a = r.nextInt(VOCAB), b = r.nextInt(VOCAB);
            float top = 100f;
            logits[row * VOCAB + a] = top;
            logits[row * VOCAB + b] = top;
        }
        float[] temps = new float[rows];
        for (int row = 0; row < rows; row++) temps[row] = row % 2 == 0 ? 0f : 5e-6f; // both below 1e-5
        int[] got = sample(logits, rows, VOCAB, temps, fill(rows, -1), fillF(rows, 1f), fillF(rows, 0f), 7L, 0);
        Sampler cpu = new Sampler(new SamplerVocab(VOCAB, List.of()));
        for (int row = 0; row < rows; row++) {
            SamplingState state = SamplingState.create(SamplingParams.greedy(4), new int[] {1}, new SamplerVocab(VOCAB, List.of()));
            int expected = cpu.sample(logits, row * VOCAB, state).tokenId();
            assertEquals(expected, got[row], "row " + row);
        }
    }

    @Test
    void rowWithoutFiniteLogitGivesMinusOne() {
        float[] logits = new float[VOCAB];
        Arrays.fill(logits, Float.NEGATIVE_INFINITY);
        int[] got = sample(logits, 1, VOCAB, new float[] {1f}, new int[] {-1}, new float[] {1f}, new float[] {0f}, 1L, 0);
        assertEquals(-1, got[0]);
    }

    @Test
    void temperatureOnly() {
        checkDistribution(31, 0.7f, -1, 1f, 0f);
    }

    @Test
    void topKKeepsTiesWithTheKthLogit() {
        checkDistribution(32, 1.0f, 20, 1f, 0f);
    }

    @Test
    void topP() {
        checkDistribution(33, 1.0f, -1, 0.8f, 0f);
    }

    @Test
    void minP() {
        checkDistribution(34, 1.5f, -1, 1f, 0.1f);
    }

    @Test
    void topKThenTopPThenMinP() {
        checkDistribution(35, 1.3f, 50, 0.9f, 0.05f);
    }

    @Test
    void drawDependsOnlyOnTheRowsOwnSeedAndCounter() {
        int rows = 16;
        Random r = new Random(8);
        float[] logits = new float[rows * VOCAB];
        for (int i = 0; i < logits.length; i++) logits[i] = (float) r.nextGaussian() * 2;
        long[] seeds = new long[rows];
        int[] counters = new int[rows];
        for (int i = 0; i < rows; i++) {
            seeds[i] = r.nextLong();
            counters[i] = r.nextInt(1000);
        }
        float[] temps = fillF(rows, 1f);
        int[] first = sample(logits, rows, VOCAB, temps, fill(rows, 40), fillF(rows, 0.95f), fillF(rows, 0f), seeds, counters);
        // the same rows in reverse order, in a batch twice as large with other neighbours
        float[] shuffled = new float[2 * rows * VOCAB];
        long[] seeds2 = new long[2 * rows];
        int[] counters2 = new int[2 * rows];
        for (int i = 0; i < rows; i++) {
            int to = 2 * (rows - 1 - i) + 1;
            System.arraycopy(logits, i * VOCAB, shuffled, to * VOCAB, VOCAB);
            seeds2[to] = seeds[i];
            counters2[to] = counters[i];
            for (int c = 0; c < VOCAB; c++) shuffled[(to - 1) * VOCAB + c] = (float) r.nextGaussian();
            seeds2[to - 1] = r.nextLong();
        }
        int[] second = sample(shuffled, 2 * rows, VOCAB, fillF(2 * rows, 1f), fill(2 * rows, 40), fillF(2 * rows, 0.95f),
                fillF(2 * rows, 0f), seeds2, counters2);
        for (int i = 0; i < rows; i++) assertEquals(first[i], second[2 * (rows - 1 - i) + 1], "row " + i);
    }

    @Test
    void llamaSizedVocabularyStaysInsideTheKeptSet() {
        int vocab = 128_256, rows = 64;
        Random r = new Random(9);
        float[] logits = new float[rows * vocab];
        for (int i = 0; i < logits.length; i++) logits[i] = (float) r.nextGaussian() * 4;
        float[] row0 = Arrays.copyOf(logits, vocab);
        for (int row = 1; row < rows; row++) System.arraycopy(row0, 0, logits, row * vocab, vocab);
        int[] counters = new int[rows];
        for (int i = 0; i < rows; i++) counters[i] = i;
        long[] seeds = new long[rows];
        Arrays.fill(seeds, 3L);
        int[] got = sample(logits, rows, vocab, fillF(rows, 0.9f), fill(rows, 100), fillF(rows, 0.7f), fillF(rows, 0.01f), seeds, counters);
        double[] p = FilteredDistribution.of(row0, 0.9f, 100, 0.7f, 0.01f);
        for (int row = 0; row < rows; row++) {
            assertTrue(got[row] >= 0 && p[got[row]] > 0, "row " + row + " drew token " + got[row] + " outside the kept set");
        }
    }

    /**
     * Structured-output masks: rows with a bitmask draw only allowed tokens — greedy the CPU
     * Sampler's choice under the same mask (the allowed argmax, ties to the lowest id), random
     * draws the distribution of the logits with every disallowed token at -inf — while unmasked
     * rows of the same batch are untouched. The masks are mostly empty words, as a JSON state's are.
     */
    @Test
    void maskedRowsDrawOnlyAllowedTokens() {
        int rows = 24, words = Math.ceilDiv(VOCAB, 64);
        Random r = new Random(12);
        float[] logits = new float[rows * VOCAB];
        for (int i = 0; i < logits.length; i++) logits[i] = (float) r.nextGaussian() * 3;
        long[][] masks = new long[rows][];
        for (int row = 0; row < rows; row++) {
            if (row % 4 == 3) continue; // unmasked
            masks[row] = new long[words];
            for (int t = 0; t < VOCAB; t++) if (r.nextInt(20) == 0) masks[row][t >>> 6] |= 1L << t;
        }
        float[] temps = new float[rows];
        for (int row = 0; row < rows; row++) temps[row] = row % 2 == 0 ? 0f : 1f;
        int[] got = sampleMasked(logits, rows, temps, masks, 5L, 0);
        Sampler cpu = new Sampler(new SamplerVocab(VOCAB, List.of()));
        for (int row = 0; row < rows; row++) {
            float[] masked = Arrays.copyOfRange(logits, row * VOCAB, (row + 1) * VOCAB);
            if (masks[row] != null) for (int t = 0; t < VOCAB; t++) if ((masks[row][t >>> 6] & (1L << t)) == 0) masked[t] = Float.NEGATIVE_INFINITY;
            if (temps[row] == 0f) {
                SamplingState state = SamplingState.create(SamplingParams.greedy(4), new int[] {1}, new SamplerVocab(VOCAB, List.of()));
                assertEquals(cpu.sample(masked, 0, state).tokenId(), got[row], "greedy row " + row);
            } else {
                assertTrue(got[row] >= 0 && masked[got[row]] > Float.NEGATIVE_INFINITY, "row " + row + " drew a disallowed token " + got[row]);
            }
        }
        // the random draws of one masked row follow the masked distribution
        float[] row = Arrays.copyOf(logits, VOCAB);
        long[] mask = masks[0];
        float[] maskedRow = row.clone();
        for (int t = 0; t < VOCAB; t++) if ((mask[t >>> 6] & (1L << t)) == 0) maskedRow[t] = Float.NEGATIVE_INFINITY;
        double[] p = FilteredDistribution.of(maskedRow, 1f, -1, 1f, 0f);
        int draws = 4096 * 4;
        int[] counts = new int[VOCAB];
        float[] batch = new float[4096 * VOCAB];
        long[][] batchMasks = new long[4096][];
        for (int i = 0; i < 4096; i++) {
            System.arraycopy(row, 0, batch, i * VOCAB, VOCAB);
            batchMasks[i] = mask;
        }
        for (int start = 0; start < draws; start += 4096) {
            for (int id : sampleMasked(batch, 4096, fillF(4096, 1f), batchMasks, 9L, start)) {
                assertTrue(id >= 0 && p[id] > 0, "drew disallowed token " + id);
                counts[id]++;
            }
        }
        double tv = FilteredDistribution.totalVariation(counts, draws, p);
        assertTrue(tv <= FilteredDistribution.tvBound(p, draws), "masked draws: total variation " + tv);
    }

    /** Samples rows with per-row bitmasks (null: none); the counter of row i is {@code counter + i}. */
    private int[] sampleMasked(float[] logits, int rows, float[] temps, long[][] masks, long seed, int counter) {
        int stride = 2 * Math.ceilDiv(VOCAB, 64);
        int[] maskRows = fill(rows, -1);
        int[] words = new int[rows * stride];
        int n = 0;
        for (int row = 0; row < rows; row++) {
            if (masks[row] == null) continue;
            for (int w = 0; w < stride / 2; w++) {
                words[n * stride + 2 * w] = (int) masks[row][w];
                words[n * stride + 2 * w + 1] = (int) (masks[row][w] >>> 32);
            }
            maskRows[row] = n++;
        }
        long[] seeds = new long[rows];
        Arrays.fill(seeds, seed);
        int[] counters = new int[rows];
        for (int i = 0; i < rows; i++) counters[i] = counter + i;
        try (DeviceArrays d = new DeviceArrays(gpu.device())) {
            DeviceBuffer out = d.alloc(4L * rows);
            gpu.kernels().sample(gpu.device().defaultStream(), new CudaKernels.SamplingBatch(d.f32(logits).address(), rows, VOCAB,
                    d.f32(temps).address(), d.i32(fill(rows, -1)).address(), d.f32(fillF(rows, 1f)).address(), d.f32(fillF(rows, 0f)).address(),
                    d.i64(seeds).address(), d.i32(counters).address(), d.i32(maskRows).address(), d.i32(Arrays.copyOf(words, Math.max(1, n) * stride)).address(),
                    stride, out.address()));
            return d.readI32(out, rows);
        }
    }

    private void checkDistribution(long seed, float temperature, int topK, float topP, float minP) {
        Random r = new Random(seed);
        float[] row = new float[VOCAB];
        for (int i = 0; i < VOCAB; i++) row[i] = (float) r.nextGaussian() * 2;
        if (topK > 0) { // ties straddling the k-th largest: all of them must stay
            float[] sorted = row.clone();
            Arrays.sort(sorted);
            float kth = sorted[VOCAB - topK];
            for (int j = 1; j <= 2; j++) row[(Arrays.binarySearch(sorted, kth) + 37 * j) % VOCAB] = kth;
        }
        double[] p = FilteredDistribution.of(row, temperature, topK, topP, minP);
        String what = "T " + temperature + " top-k " + topK + " top-p " + topP + " min-p " + minP;

        // the reference against the CPU Sampler's draws
        SamplerVocab vocab = new SamplerVocab(VOCAB, List.of());
        Sampler cpu = new Sampler(vocab);
        int[] cpuCounts = new int[VOCAB];
        for (int i = 0; i < CPU_DRAWS; i++) {
            SamplingParams params = SamplingParams.builder().temperature(temperature).topK(topK).topP(topP).minP(minP)
                    .seed((long) i).maxTokens(4).build();
            int id = cpu.sample(row, 0, SamplingState.create(params, new int[] {1}, vocab)).tokenId();
            assertTrue(p[id] > 0, what + ": CPU Sampler drew " + id + " outside the reference's kept set");
            cpuCounts[id]++;
        }
        double cpuTv = FilteredDistribution.totalVariation(cpuCounts, CPU_DRAWS, p);
        assertTrue(cpuTv <= FilteredDistribution.tvBound(p, CPU_DRAWS), what + ": reference vs CPU Sampler TV " + cpuTv);

        int[] gpuCounts = new int[VOCAB];
        float[] batch = new float[BATCH * VOCAB];
        for (int i = 0; i < BATCH; i++) System.arraycopy(row, 0, batch, i * VOCAB, VOCAB);
        long[] seeds = new long[BATCH];
        Arrays.fill(seeds, seed);
        for (int start = 0; start < GPU_DRAWS; start += BATCH) {
            int[] counters = new int[BATCH];
            for (int i = 0; i < BATCH; i++) counters[i] = start + i;
            int[] got = sample(batch, BATCH, VOCAB, fillF(BATCH, temperature), fill(BATCH, topK), fillF(BATCH, topP),
                    fillF(BATCH, minP), seeds, counters);
            for (int id : got) {
                assertTrue(id >= 0 && id < VOCAB && p[id] > 0, what + ": GPU drew " + id + " outside the kept set");
                gpuCounts[id]++;
            }
        }
        double tv = FilteredDistribution.totalVariation(gpuCounts, GPU_DRAWS, p);
        double bound = FilteredDistribution.tvBound(p, GPU_DRAWS);
        assertTrue(tv <= bound, what + ": GPU total variation " + tv + " > " + bound);
    }

    private int[] sample(float[] logits, int rows, int vocab, float[] temps, int[] topK, float[] topP, float[] minP,
                         long seed, int counter) {
        long[] seeds = new long[rows];
        Arrays.fill(seeds, seed);
        return sample(logits, rows, vocab, temps, topK, topP, minP, seeds, fill(rows, counter));
    }

    private int[] sample(float[] logits, int rows, int vocab, float[] temps, int[] topK, float[] topP, float[] minP,
                         long[] seeds, int[] counters) {
        try (DeviceArrays d = new DeviceArrays(gpu.device())) {
            DeviceBuffer out = d.alloc(4L * rows);
            gpu.kernels().sample(gpu.device().defaultStream(), new CudaKernels.SamplingBatch(d.f32(logits).address(), rows, vocab,
                    d.f32(temps).address(), d.i32(topK).address(), d.f32(topP).address(), d.f32(minP).address(),
                    d.i64(seeds).address(), d.i32(counters).address(), out.address()));
            return d.readI32(out, rows);
        }
    }

    private static int[] fill(int n, int v) {
        int[] a = new int[n];
        Arrays.fill(a, v);
        return a;
    }

    private static float[] fillF(int n, float v) {
        float[] a = new float[n];
        Arrays.fill(a, v);
        return a;
    }
}
