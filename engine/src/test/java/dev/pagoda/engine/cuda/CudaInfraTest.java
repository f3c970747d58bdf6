package dev.pagoda.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The device layer on a real GPU: NVRTC compile + launch, cuBLAS GEMMs against a naive product,
 * and a captured graph replaying the same work. Skipped (with the reason) where CUDA is not usable.
 */
@RequiresCuda
class CudaInfraTest {

    private static CudaDevice device;

    @BeforeAll
    static void openDevice() {
        device = CudaTestDevice.openOrNull();
    }

    @AfterAll
    static void closeDevice() {
        if (device != null) device.close();
    }

    @Test
    void compiledKernelRunsAndIncludesResolve() {
        int n = 1000;
        try (Arena arena = Arena.ofConfined(); CudaModule module = CudaModule.load(device, "/dev/pagoda/engine/cuda/infra/axpy.cu");
             DeviceBuffer x = device.allocate(4L * n); DeviceBuffer y = device.allocate(4L * n)) {
            MemorySegment hx = arena.allocate(4L * n);
            MemorySegment hy = arena.allocate(4L * n);
            for (int i = 0; i < n; i++) {
                hx.setAtIndex(ValueLayout.JAVA_FLOAT, i, i);
                hy.setAtIndex(ValueLayout.JAVA_FLOAT, i, 1);
            }
            x.upload(hx);
            y.upload(hy);
            KernelArgs args = new KernelArgs(4).f32(2f).ptr(x.address()).ptr(y.address()).i32(n);
            module.function("axpy").launch(device.defaultStream(), Dim3.of((n + 255) / 256), Dim3.of(256), 0, args);
            device.defaultStream().synchronize();
            y.download(hy);
            for (int i = 0; i < n; i++) assertEquals(2f * i + 1, hy.getAtIndex(ValueLayout.JAVA_FLOAT, i), "element " + i);
        }
    }

    @Test
    void gemmMatchesNaiveProductAndAccumulates() {
        int t = 7, nOut = 96, k = 160;
        Random r = new Random(3);
        float[] x = bf16Random(r, t * k);
        float[] w = bf16Random(r, nOut * k);
        float[] y0 = new float[t * nOut];
        for (int i = 0; i < y0.length; i++) y0[i] = r.nextFloat();
        try (Arena arena = Arena.ofConfined(); Cublas blas = new Cublas(device);
             DeviceBuffer dx = device.allocate(2L * x.length); DeviceBuffer dw = device.allocate(2L * w.length);
             DeviceBuffer dy = device.allocate(4L * y0.length)) {
            dx.upload(Bf16.encode(arena, x));
            dw.upload(Bf16.encode(arena, w));
            MemorySegment hy = arena.allocateFrom(ValueLayout.JAVA_FLOAT, y0);
            dy.upload(hy);
            blas.linear(dx.address(), dw.address(), dy.address(), Cublas.Out.F32, t, nOut, k, true);
            device.defaultStream().synchronize();
            dy.download(hy);
            for (int i = 0; i < t; i++) {
                for (int j = 0; j < nOut; j++) {
                    double ref = y0[i * nOut + j];
                    for (int c = 0; c < k; c++) ref += (double) x[i * k + c] * w[j * k + c];
                    assertEquals(ref, hy.getAtIndex(ValueLayout.JAVA_FLOAT, (long) i * nOut + j), 1e-3 * Math.sqrt(k),
                            "y[" + i + "," + j + "]");
                }
            }
        }
    }

    @Test
    void graphReplaysCapturedLaunches() {
        int n = 4096;
        try (Arena arena = Arena.ofConfined(); CudaModule module = CudaModule.load(device, "/dev/pagoda/engine/cuda/infra/axpy.cu");
             DeviceBuffer x = device.allocate(4L * n); DeviceBuffer y = device.allocate(4L * n)) {
            MemorySegment h = arena.allocate(4L * n);
            for (int i = 0; i < n; i++) h.setAtIndex(ValueLayout.JAVA_FLOAT, i, 1);
            x.upload(h);
            y.fill(0);
            CudaFunction axpy = module.function("axpy");
            KernelArgs args = new KernelArgs(4).f32(1f).ptr(x.address()).ptr(y.address()).i32(n);
            CudaStream s = device.defaultStream();
            try (CudaGraph graph = CudaGraph.capture(s, () -> {
                for (int i = 0; i < 3; i++) axpy.launch(s, Dim3.of(n / 256), Dim3.of(256), 0, args);
            })) {
                graph.launch(s);
                graph.launch(s);
                s.synchronize();
            }
            y.download(h);
            for (int i = 0; i < n; i++) assertEquals(6f, h.getAtIndex(ValueLayout.JAVA_FLOAT, i), "element " + i);
        }
    }

    @Test
    void pinnedAsyncRoundTrip() {
        try (PinnedBuffer pinned = new PinnedBuffer(1024); DeviceBuffer d = device.allocate(1024)) {
            for (int i = 0; i < 256; i++) pinned.segment().setAtIndex(ValueLayout.JAVA_INT, i, i * 7);
            pinned.uploadAsync(d.address(), 1024, device.defaultStream());
            pinned.segment().fill((byte) 0);
            pinned.downloadAsync(d.address(), 0, 1024, device.defaultStream());
            device.defaultStream().synchronize();
            for (int i = 0; i < 256; i++) assertEquals(i * 7, pinned.segment().getAtIndex(ValueLayout.JAVA_INT, i));
        }
        assertTrue(device.freeMemory() > 0 && device.freeMemory() <= device.totalMemory());
    }

    private static float[] bf16Random(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = Bf16.round((float) r.nextGaussian());
        return v;
    }
}
