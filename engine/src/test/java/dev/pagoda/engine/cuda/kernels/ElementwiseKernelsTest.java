package dev.pagoda.engine.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pagoda.engine.cpu.RmsNorm;
import dev.pagoda.engine.cpu.SwiGlu;
import dev.pagoda.engine.cuda.CudaStream;
import dev.pagoda.engine.cuda.DeviceBuffer;
import dev.pagoda.engine.cuda.RequiresCuda;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Embedding, RMSNorm, SiLU·mul and block copies on the GPU against the CPU backend (RmsNorm,
 * SwiGlu) or a plain copy. Inputs are bf16-rounded on both sides; a bf16 output may differ from
 * the f32 reference by its own rounding (2^-8 relative) plus f32 accumulation order, hence
 * rtol 2^-7 and a small atol for values near zero.
 */
@RequiresCuda
class ElementwiseKernelsTest {

    private static final double RTOL = 0x1p-7;
    private static final double ATOL = 1e-5;

    @RegisterExtension
    static final GpuKernelFixture gpu = new GpuKernelFixture();


    @Test
    void embeddingGathersRowsExactly() {
        for (int dim : new int[] {4096, 36}) { // vector and scalar paths
            Random r = new Random(dim);
            int vocab = 50, tokens = 9;
            float[] table = Tolerance.random(r, vocab * dim, 2f);
            int[] ids = new int[tokens];
            for (int i = 0; i < tokens; i++) ids[i] = r.nextInt(vocab);
            try (DeviceArrays d = new DeviceArrays(gpu.device())) {
                DeviceBuffer out = d.alloc(4L * tokens * dim);
                gpu.kernels().embedding(stream(), d.i32(ids).address(), d.bf16(table).address(), out.address(), tokens, dim);
                float[] got = d.readF32(out, tokens * dim);
                for (int t = 0; t < tokens; t++) {
                    for (int c = 0; c < dim; c++) {
                        assertEquals(table[ids[t] * dim + c], got[t * dim + c], "dim " + dim + " token " + t + " col " + c);
                    }
                }
            }
        }
    }

    @Test
    void rmsNormMatchesCpuWithAndWithoutRowIndices() {
        for (int seed = 0; seed < 4; seed++) {
            Random r = new Random(seed);
            int dim = seed % 2 == 0 ? 4096 : 52; // vector and scalar paths
            int n = 1 + r.nextInt(6), srcRows = n + 3;
            float eps = 1e-5f;
            float[] x = Tolerance.random(r, srcRows * dim, 3f);
            float[] w = Tolerance.random(r, dim, 1.5f);
            boolean indexed = seed >= 2;
            int[] rows = new int[n];
            for (int i = 0; i < n; i++) rows[i] = indexed ? r.nextInt(srcRows) : i;

            float[] expected = new float[n * dim];
            try (Arena arena = Arena.ofShared()) {
                MemorySegment in = arena.allocate(4L * n * dim);
                for (int i = 0; i < n; i++) MemorySegment.copy(x, rows[i] * dim, in, ValueLayout.JAVA_FLOAT, 4L * i * dim, dim);
                MemorySegment out = arena.allocate(4L * n * dim);
                new RmsNorm(gpu.parallel(), dim, eps).apply(in, arena.allocateFrom(ValueLayout.JAVA_FLOAT, w), out, n);
                MemorySegment.copy(out, ValueLayout.JAVA_FLOAT, 0, expected, 0, n * dim);
            }
            try (DeviceArrays d = new DeviceArrays(gpu.device())) {
                DeviceBuffer out = d.alloc(2L * n * dim);
                long rowPtr = indexed ? d.i32(rows).address() : 0;
                gpu.kernels().rmsNorm(stream(), d.f32(x).address(), rowPtr, d.bf16(w).address(), out.address(), n, dim, eps);
                Tolerance.assertClose(expected, d.readBf16(out, n * dim), ATOL, RTOL, "rmsNorm seed " + seed);
            }
        }
    }

    @Test
    void siluMulMatchesCpuSwiGlu() {
        for (int inter : new int[] {14336, 100}) {
            Random r = new Random(inter);
            int tokens = 5;
            float[] gateUp = Tolerance.random(r, tokens * 2 * inter, 6f);
            float[] gate = new float[tokens * inter], up = new float[tokens * inter];
            for (int t = 0; t < tokens; t++) {
                System.arraycopy(gateUp, t * 2 * inter, gate, t * inter, inter);
                System.arraycopy(gateUp, t * 2 * inter + inter, up, t * inter, inter);
            }
            float[] expected = new float[tokens * inter];
            try (Arena arena = Arena.ofShared()) {
                MemorySegment g = arena.allocateFrom(ValueLayout.JAVA_FLOAT, gate);
                MemorySegment u = arena.allocateFrom(ValueLayout.JAVA_FLOAT, up);
                MemorySegment o = arena.allocate(4L * gate.length);
                new SwiGlu(gpu.parallel()).apply(g, u, o, tokens, inter);
                MemorySegment.copy(o, ValueLayout.JAVA_FLOAT, 0, expected, 0, expected.length);
            }
            try (DeviceArrays d = new DeviceArrays(gpu.device())) {
                DeviceBuffer out = d.alloc(2L * tokens * inter);
                gpu.kernels().siluMul(stream(), d.bf16(gateUp).address(), out.address(), tokens, inter);
                Tolerance.assertClose(expected, d.readBf16(out, tokens * inter), ATOL, RTOL, "siluMul inter " + inter);
            }
        }
    }

    @Test
    void copyBlocksCopiesEveryLayerKeyAndValueAndNothingElse() {
        int layers = 3, blocks = 10, blockShorts = 8 * 4 * 64; // blockSize 8, 4 KV heads, head_dim 64, bf16
        long blockBytes = 2L * blockShorts, layerStride = blocks * blockBytes;
        int total = layers * blocks * blockShorts;
        Random r = new Random(11);
        float[] keys = Tolerance.random(r, total, 1f), values = Tolerance.random(r, total, 1f);
        int[] pairs = {2, 7, 5, 0, 9, 3};
        float[] expectedK = keys.clone(), expectedV = values.clone();
        for (int l = 0; l < layers; l++) {
            for (int p = 0; p < pairs.length; p += 2) {
                int src = (l * blocks + pairs[p]) * blockShorts, dst = (l * blocks + pairs[p + 1]) * blockShorts;
                System.arraycopy(keys, src, expectedK, dst, blockShorts);
                System.arraycopy(values, src, expectedV, dst, blockShorts);
            }
        }
        try (DeviceArrays d = new DeviceArrays(gpu.device())) {
            DeviceBuffer k = d.bf16(keys), v = d.bf16(values);
            gpu.kernels().copyBlocks(stream(), k.address(), v.address(), d.i32(pairs).address(), pairs.length / 2, layers,
                    layerStride, blockBytes);
            assertArrayEquals(expectedK, d.readBf16(k, total), "keys");
            assertArrayEquals(expectedV, d.readBf16(v, total), "values");
        }
    }

    private static CudaStream stream() {
        return gpu.device().defaultStream();
    }
}
