package dev.pagoda.engine.cuda.kernels;

import dev.pagoda.engine.cpu.Parallel;
import dev.pagoda.engine.cuda.CudaDevice;
import dev.pagoda.engine.cuda.CudaTestDevice;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What every kernel test class holds for its tests: the GPU, its loaded kernels, and a worker pool
 * for the CPU references. Register it with {@code @RegisterExtension static final GpuKernelFixture gpu};
 * device and kernels stay null where CUDA is unusable ({@code @RequiresCuda} then skips the tests).
 */
final class GpuKernelFixture implements BeforeAllCallback, AfterAllCallback {

    private CudaDevice device;
    private CudaKernels kernels;
    // kernel sets with another decode attention kernel, loaded on first use
    private final Map<DecodeKernelChoice, CudaKernels> byDecodeKernel = new EnumMap<>(DecodeKernelChoice.class);
    private Parallel parallel;

    @Override
    public void beforeAll(ExtensionContext context) {
        device = CudaTestDevice.openOrNull();
        if (device != null) kernels = CudaKernels.load(device, DecodeKernelChoice.DEFAULT);
        parallel = new Parallel(Math.max(2, Runtime.getRuntime().availableProcessors()));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        byDecodeKernel.values().forEach(CudaKernels::close);
        byDecodeKernel.clear();
        if (kernels != null) kernels.close();
        if (device != null) device.close();
        parallel.close();
    }

    CudaDevice device() {
        return device;
    }

    CudaKernels kernels() {
        return kernels;
    }

    /** The kernels with decode attention on {@code decodeKernel} (the shared set where that is the default). */
    CudaKernels kernels(DecodeKernelChoice decodeKernel) {
        if (kernels == null || decodeKernel == kernels.decodeKernel()) return kernels;
        return byDecodeKernel.computeIfAbsent(decodeKernel, c -> CudaKernels.load(device, c));
    }

    /** Workers of the CPU references (their results do not depend on the thread count). */
    Parallel parallel() {
        return parallel;
    }
}
