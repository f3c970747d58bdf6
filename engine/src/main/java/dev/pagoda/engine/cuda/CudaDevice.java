package dev.pagoda.engine.cuda;

import java.util.Locale;
import java.util.Optional;
import org.bytedeco.cuda.cudart.cudaDeviceProp;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.SizeTPointer;

/**
 * One GPU, through the CUDA runtime's primary context. Memory and streams are made here; the
 * engine thread calls {@link #makeCurrent} before it works on the device, because the runtime's
 * current device is per thread.
 *
 * <p>Why a GPU is unusable is worked out once per JVM ({@link #unavailableReason}): the native
 * libraries may be absent (CI), the driver missing or too old, or no device present — each gets
 * its own message, so {@code --device cuda} can say exactly why it fell back or failed.
 */
public final class CudaDevice implements AutoCloseable {

    /** bf16 tensor cores, {@code cp.async} and the kernels' shared-memory sizes assume Ampere or newer. */
    public static final int MIN_COMPUTE_CAPABILITY = 80;

    private final int ordinal;
    private final String name;
    private final int computeCapability;
    private final int multiprocessors;
    private final long totalMemory;
    private final CudaStream stream;
    private boolean closed;

    private CudaDevice(int ordinal) {
        this.ordinal = ordinal;
        makeCurrent();
        cudaDeviceProp props = new cudaDeviceProp();
        CudaCalls.check(cudart.cudaGetDeviceProperties(props, ordinal), "cudaGetDeviceProperties");
        this.name = props.name().getString().trim();
        this.computeCapability = props.major() * 10 + props.minor();
        this.multiprocessors = props.multiProcessorCount();
        this.totalMemory = props.totalGlobalMem();
        props.close();
        this.stream = new CudaStream();
    }

    /** Empty when device 0 can run Pagoda's kernels; otherwise one line saying why not. */
    public static Optional<String> unavailableReason() {
        return Availability.REASON;
    }

    /** The ordinal a resolved device name ("cuda:N", as ModelInfo reports it) names. */
    public static int ordinalOf(String device) {
        if (!device.matches("cuda:\\d+")) throw new IllegalArgumentException("not a CUDA device name: '" + device + "'");
        return Integer.parseInt(device.substring("cuda:".length()));
    }

    /** Opens device {@code ordinal}, bound to the calling thread. */
    public static CudaDevice open(int ordinal) {
        Optional<String> reason = unavailableReason();
        if (reason.isPresent()) throw new CudaException("CUDA is not usable here: " + reason.get());
        int[] count = new int[1];
        CudaCalls.check(cudart.cudaGetDeviceCount(count), "cudaGetDeviceCount");
        if (ordinal < 0 || ordinal >= count[0]) {
            throw new CudaException("--device cuda:" + ordinal + " does not exist: this machine has " + count[0] + " CUDA device(s)");
        }
        return new CudaDevice(ordinal);
    }

    /** Makes this device current for the calling thread (and creates its primary context on first use). */
    public void makeCurrent() {
        CudaCalls.check(cudart.cudaSetDevice(ordinal), "cudaSetDevice(" + ordinal + ")");
    }

    public int ordinal() {
        return ordinal;
    }

    public String name() {
        return name;
    }

    /** Major * 10 + minor: 90 for sm_90 (Hopper), 80 for sm_80 (A100). */
    public int computeCapability() {
        return computeCapability;
    }

    public int multiprocessors() {
        return multiprocessors;
    }

    public long totalMemory() {
        return totalMemory;
    }

    /** Free bytes on the device now, as the driver counts them (other processes included). */
    public long freeMemory() {
        try (SizeTPointer free = new SizeTPointer(1); SizeTPointer total = new SizeTPointer(1)) {
            CudaCalls.check(cudart.cudaMemGetInfo(free, total), "cudaMemGetInfo");
            return free.get();
        }
    }

    /** The device's one compute stream: kernels, GEMMs and copies of a step are ordered on it. */
    public CudaStream defaultStream() {
        return stream;
    }

    public DeviceBuffer allocate(long bytes) {
        return DeviceBuffer.allocate(bytes);
    }

    public void synchronize() {
        CudaCalls.check(cudart.cudaDeviceSynchronize(), "cudaDeviceSynchronize");
    }

    /** e.g. "NVIDIA H200 (sm_90, 132 SMs, 139.8 GiB)". */
    public String describe() {
        return String.format(Locale.ROOT, "%s (sm_%d, %d SMs, %.1f GiB)", name, computeCapability, multiprocessors,
                totalMemory / (1024.0 * 1024 * 1024));
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        stream.close();
    }

    /** Probed once: loading the JNI libraries is what fails on a machine without CUDA. */
    private static final class Availability {
        static final Optional<String> REASON = probe();

        private static Optional<String> probe() {
            try {
                org.bytedeco.javacpp.Loader.load(cudart.class);
            } catch (Throwable e) {
                return Optional.of("the CUDA runtime libraries could not be loaded (libcudart.so.13 and the driver's libcuda.so.1; "
                        + "is CUDA 13 installed and on LD_LIBRARY_PATH?): " + firstLine(e));
            }
            try {
                int[] driver = new int[1];
                cudart.cudaDriverGetVersion(driver);
                if (driver[0] == 0) return Optional.of("no NVIDIA driver is installed (cudaDriverGetVersion reports 0)");
                int[] count = new int[1];
                int status = cudart.cudaGetDeviceCount(count);
                if (status != cudart.cudaSuccess) {
                    return Optional.of("cudaGetDeviceCount failed: " + CudaCalls.cudaError(status) + " (driver " + driver[0] + ")");
                }
                if (count[0] == 0) return Optional.of("the driver sees no CUDA device");
                int[] major = new int[1];
                int[] minor = new int[1];
                CudaCalls.check(cudart.cudaDeviceGetAttribute(major, cudart.cudaDevAttrComputeCapabilityMajor, 0), "cudaDeviceGetAttribute");
                CudaCalls.check(cudart.cudaDeviceGetAttribute(minor, cudart.cudaDevAttrComputeCapabilityMinor, 0), "cudaDeviceGetAttribute");
                int cc = major[0] * 10 + minor[0];
                if (cc < MIN_COMPUTE_CAPABILITY) {
                    return Optional.of("device 0 has compute capability " + major[0] + "." + minor[0]
                            + "; Pagoda's CUDA kernels need 8.0 (Ampere) or newer");
                }
                return Optional.empty();
            } catch (Throwable e) {
                return Optional.of("probing CUDA failed: " + firstLine(e));
            }
        }

        private static String firstLine(Throwable e) {
            String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            int nl = m.indexOf('\n');
            return nl < 0 ? m : m.substring(0, nl);
        }
    }
}
