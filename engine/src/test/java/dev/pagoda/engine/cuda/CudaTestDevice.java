package dev.pagoda.engine.cuda;

/** Opens the GPU for a {@link RequiresCuda} test class. */
public final class CudaTestDevice {

    private CudaTestDevice() {}

    /** Device 0, or null where CUDA is not usable (the class's tests are then reported skipped). */
    public static CudaDevice openOrNull() {
        return CudaDevice.unavailableReason().isPresent() ? null : CudaDevice.open(0);
    }
}
