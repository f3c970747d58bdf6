package dev.pagoda.engine.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pagoda.catalog.config.Architecture;
import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.config.RopeScaling;
import dev.pagoda.engine.cpu.CpuKvCache;
import dev.pagoda.engine.cpu.KvCacheShape;
import dev.pagoda.engine.cpu.KvCacheWriter;
import dev.pagoda.engine.cpu.RmsNorm;
import dev.pagoda.engine.cpu.Rope;
import dev.pagoda.engine.model.ops.RopeFrequencies;
import dev.pagoda.engine.cuda.Bf16;
import dev.pagoda.engine.cuda.DeviceBuffer;
import dev.pagoda.engine.cuda.RequiresCuda;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The fused bias + q/k norm + RoPE + cache write against the CPU backend's pieces run one after
 * the other (bias add, RmsNorm per head, Rope with the model's RopeFrequencies, KvCacheWriter).
 * Tolerance: the bf16 output rounding (rtol 2^-7) plus 2e-3 absolute for the f32 angle
 * {@code position · invFreq} (HF computes it in f32 too; the CPU tables use doubles), which for
 * positions up to 4k moves cos/sin by ~2.5e-4.
 */
@RequiresCuda
class QkvRopeCacheTest {

    private static final double RTOL = 0x1p-7;
    private static final double ATOL = 2e-3;
    private static final short UNTOUCHED = 0x7F7F; // bf16 bits of the fill byte 0x7F

    @RegisterExtension
    static final GpuKernelFixture gpu = new GpuKernelFixture();


    @Test
    void llama3ScaledRopeWithoutBiasOrNorm() {
        var scaling = new RopeScaling(RopeScaling.Type.LLAMA3, 8, 8192, 1, 4, 32, 1, Double.NaN);
        check(spec(Architecture.LLAMA, 8, 2, 128, 500000, scaling, false, false), 16, 1);
    }

    @Test
    void qwen2BiasWithSmallHeads() {
        check(spec(Architecture.LLAMA, 14, 2, 64, 1e6, null, true, false), 8, 2);
    }

    @Test
    void qwen3QkNormWithYarnAttentionFactor() {
        var yarn = new RopeScaling(RopeScaling.Type.YARN, 4, 4096, 1, 4, 32, 1, Double.NaN);
        check(spec(Architecture.QWEN3, 16, 8, 128, 1e6, yarn, false, true), 32, 3);
    }

    private static ModelSpec spec(Architecture arch, int heads, int kvHeads, int headDim, double theta, RopeScaling scaling,
                                  boolean bias, boolean qkNorm) {
        return ModelSpec.builder(arch)
                .hiddenSize(heads * headDim).numLayers(1).numHeads(heads).numKvHeads(kvHeads).headDim(headDim)
                .intermediateSize(64).vocabSize(100).ropeTheta(theta).ropeScaling(scaling).maxPositionEmbeddings(16384)
                .torchDtype("bfloat16").bosTokenIds(1).eosTokenIds(2).attentionBias(bias).qkNorm(qkNorm)
                .build();
    }

    private void check(ModelSpec spec, int blockSize, int seed) {
        Random r = new Random(seed);
        int h = spec.numHeads(), hkv = spec.numKvHeads(), dh = spec.headDim();
        int width = (h + 2 * hkv) * dh, tokens = 37, numBlocks = 12, maxPos = 4096;
        float eps = 1e-6f;
        float[] qkv = new float[tokens * width];
        for (int i = 0; i < qkv.length; i++) qkv[i] = (float) r.nextGaussian();
        float[] bias = spec.attentionBias() ? Tolerance.random(r, width, 0.5f) : null;
        float[] qNorm = spec.qkNorm() ? Tolerance.random(r, dh, 2f) : null;
        float[] kNorm = spec.qkNorm() ? Tolerance.random(r, dh, 2f) : null;
        int[] positions = new int[tokens];
        int[] slots = new int[tokens];
        List<Integer> freeSlots = new java.util.ArrayList<>();
        for (int s = 0; s < numBlocks * blockSize; s++) freeSlots.add(s);
        java.util.Collections.shuffle(freeSlots, r);
        for (int t = 0; t < tokens; t++) {
            positions[t] = r.nextInt(maxPos);
            slots[t] = t % 5 == 4 ? -1 : freeSlots.get(t);
        }
        RopeFrequencies freqs = RopeFrequencies.of(spec, 1);
        double[] inverse = freqs.inverse();
        float[] invFreq = new float[dh / 2];
        for (int i = 0; i < invFreq.length; i++) invFreq[i] = (float) inverse[i];

        // CPU: bias, per-head norm, RoPE, cache write
        float[] q = new float[tokens * h * dh], k = new float[tokens * hkv * dh], v = new float[tokens * hkv * dh];
        for (int t = 0; t < tokens; t++) {
            for (int c = 0; c < width; c++) {
                float x = qkv[t * width + c] + (bias == null ? 0f : bias[c]);
                if (c < h * dh) q[t * h * dh + c] = x;
                else if (c < (h + hkv) * dh) k[t * hkv * dh + c - h * dh] = x;
                else v[t * hkv * dh + c - (h + hkv) * dh] = x;
            }
        }
        KvCacheShape shape = new KvCacheShape(1, numBlocks, blockSize, hkv, dh);
        float[] expectedK, expectedV;
        try (Arena arena = Arena.ofShared(); CpuKvCache cache = new CpuKvCache(shape)) {
            MemorySegment qs = arena.allocateFrom(ValueLayout.JAVA_FLOAT, q);
            MemorySegment ks = arena.allocateFrom(ValueLayout.JAVA_FLOAT, k);
            MemorySegment vs = arena.allocateFrom(ValueLayout.JAVA_FLOAT, v);
            if (spec.qkNorm()) {
                RmsNorm norm = new RmsNorm(gpu.parallel(), dh, eps);
                norm.apply(qs, arena.allocateFrom(ValueLayout.JAVA_FLOAT, qNorm), qs, tokens * h);
                norm.apply(ks, arena.allocateFrom(ValueLayout.JAVA_FLOAT, kNorm), ks, tokens * hkv);
            }
            Rope rope = new Rope(spec, maxPos, gpu.parallel());
            rope.apply(qs, positions, tokens, h);
            rope.apply(ks, positions, tokens, hkv);
            KvCacheWriter.write(ks, vs, slots, tokens, cache.layer(0));
            q = qs.toArray(ValueLayout.JAVA_FLOAT);
            expectedK = cache.keys(0).toArray(ValueLayout.JAVA_FLOAT);
            expectedV = cache.values(0).toArray(ValueLayout.JAVA_FLOAT);
        }

        int cacheElems = numBlocks * blockSize * hkv * dh;
        try (DeviceArrays d = new DeviceArrays(gpu.device())) {
            DeviceBuffer query = d.alloc(2L * tokens * h * dh);
            DeviceBuffer keyCache = d.alloc(2L * cacheElems), valueCache = d.alloc(2L * cacheElems);
            keyCache.fill(0x7F);
            valueCache.fill(0x7F);
            var g = new CudaKernels.AttentionGeometry(h, hkv, dh, blockSize, numBlocks, (float) (1 / Math.sqrt(dh)), 0);
            var a = new CudaKernels.QkvRopeCache(d.f32(qkv).address(), bias == null ? 0 : d.bf16(bias).address(),
                    qNorm == null ? 0 : d.bf16(qNorm).address(), kNorm == null ? 0 : d.bf16(kNorm).address(),
                    d.i32(positions).address(), d.f32(invFreq).address(), (float) freqs.attentionFactor(),
                    d.i32(slots).address(), query.address(), keyCache.address(), valueCache.address(), tokens, eps);
            gpu.kernels().qkvRopeCache(gpu.device().defaultStream(), g, a);
            String label = spec.architecture() + " heads " + h + "/" + hkv + " dim " + dh;
            Tolerance.assertClose(q, d.readBf16(query, tokens * h * dh), ATOL, RTOL, label + " query");
            short[] gotK = d.readBits16(keyCache, cacheElems), gotV = d.readBits16(valueCache, cacheElems);
            boolean[] written = new boolean[numBlocks * blockSize];
            for (int slot : slots) if (slot >= 0) written[slot] = true;
            int row = hkv * dh;
            for (int slot = 0; slot < written.length; slot++) {
                for (int c = 0; c < row; c++) {
                    int i = slot * row + c;
                    if (!written[slot]) {
                        assertEquals(UNTOUCHED, gotK[i], label + ": key slot " + slot + " was not to be written");
                        assertEquals(UNTOUCHED, gotV[i], label + ": value slot " + slot + " was not to be written");
                        continue;
                    }
                    assertNear(expectedK[i], Bf16.toFloat(gotK[i]), label + " key slot " + slot + " elem " + c);
                    assertNear(expectedV[i], Bf16.toFloat(gotV[i]), label + " value slot " + slot + " elem " + c);
                }
            }
        }
    }

    private static void assertNear(float expected, float actual, String label) {
        double err = Math.abs((double) expected - actual);
        if (!(err <= ATOL + RTOL * Math.abs(expected))) {
            throw new AssertionError(label + ": expected " + expected + " got " + actual);
        }
    }
}
