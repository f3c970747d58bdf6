package dev.pagoda.engine.cuda.kernels;

import dev.pagoda.engine.cpu.Parallel;
import dev.pagoda.engine.cuda.CudaDevice;
import dev.pagoda.engine.cuda.CudaTestDevice;
import java.util.HashMap;
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
    // kernel sets with another decode or prefill attention kernel, loaded on first use
    private final Map<Choices, CudaKernels> byChoices = new HashMap<>();
    private Parallel parallel;
    private LoadedKernels prefillV2Source;

    @Override
    public void beforeAll(ExtensionContext context) {
        device = CudaTestDevice.openOrNull();
        if (device != null) kernels = CudaKernels.load(device, DecodeKernelChoice.DEFAULT, PrefillKernelChoice.DEFAULT);
        parallel = new Parallel(Math.max(2, Runtime.getRuntime().availableProcessors()));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (prefillV2Source != null) prefillV2Source.close();
        byChoices.values().forEach(CudaKernels::close);
        byChoices.clear();
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
        return kernels(new Choices(decodeKernel, PrefillKernelChoice.DEFAULT));
    }

    /** The kernels with prefill attention on {@code prefillKernel} (the shared set where that is the default). */
    CudaKernels kernels(PrefillKernelChoice prefillKernel) {
        return kernels(new Choices(DecodeKernelChoice.DEFAULT, prefillKernel));
    }

    private CudaKernels kernels(Choices choices) {
        if (kernels == null || (choices.decode() == kernels.decodeKernel() && choices.prefill() == kernels.prefillKernel())) {
            return kernels;
        }
        return byChoices.computeIfAbsent(choices, c -> CudaKernels.load(device, c.decode(), c.prefill()));
    }

    /**
     * The v2 prefill kernel planned as for a GPU of one SM: every launch takes the instantiation
     * with the most query heads per CTA its KV group allows, whatever the test's tile count.
     */
    PrefillAttentionLauncher prefillV2MostHeadsPerCta() {
        if (prefillV2Source == null) prefillV2Source = new LoadedKernels(device, java.util.List.of(PrefillAttentionV2Kernel.SOURCE));
        return new PrefillAttentionV2Kernel(prefillV2Source, 1);
    }

    private record Choices(DecodeKernelChoice decode, PrefillKernelChoice prefill) {}

    /** Workers of the CPU references (their results do not depend on the thread count). */
    Parallel parallel() {
        return parallel;
    }
}
