package dev.pagoda.engine.cuda;

import java.lang.foreign.MemorySegment;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.Pointer;

/**
 * Device memory from {@code cudaMalloc}, addressed as a plain {@code long} (what kernels and
 * cuBLAS take). The synchronous copies here are for set-up and tests; a step's per-step copies go
 * through {@link PinnedBuffer#uploadAsync} on the compute stream. {@code cudaMemcpy} runs on the
 * legacy stream, which the compute stream (non-blocking) neither waits for nor is waited for by,
 * and a pageable copy may return before it lands: each copy here therefore starts and ends with a
 * device-wide synchronize (a download sees every kernel queued before it).
 */
public final class DeviceBuffer implements AutoCloseable {

    private final long address;
    private final long bytes;
    private boolean freed;

    private DeviceBuffer(long address, long bytes) {
        this.address = address;
        this.bytes = bytes;
    }

    static DeviceBuffer allocate(long bytes) {
        if (bytes <= 0) throw new IllegalArgumentException("device allocation of " + bytes + " bytes");
        Pointer p = new Pointer();
        int status = cudart.cudaMalloc(p, bytes);
        if (status != cudart.cudaSuccess) {
            throw new CudaException(String.format("cudaMalloc of %,d bytes failed: %s (%d)", bytes, CudaCalls.cudaError(status), status));
        }
        return new DeviceBuffer(p.address(), bytes);
    }

    public long address() {
        return address;
    }

    /** {@code address() + byteOffset}, checked to lie inside the buffer. */
    public long address(long byteOffset) {
        if (byteOffset < 0 || byteOffset > bytes) {
            throw new IndexOutOfBoundsException("offset " + byteOffset + " outside a device buffer of " + bytes + " bytes");
        }
        return address + byteOffset;
    }

    public long bytes() {
        return bytes;
    }

    public void upload(MemorySegment host) {
        upload(host, 0);
    }

    public void upload(MemorySegment host, long deviceOffset) {
        checkRange(deviceOffset, host.byteSize());
        settle();
        CudaCalls.check(cudart.cudaMemcpy(CudaCalls.at(address + deviceOffset), CudaCalls.at(host.address()), host.byteSize(),
                cudart.cudaMemcpyHostToDevice), "cudaMemcpy host->device");
        settle();
    }

    public void download(MemorySegment host) {
        download(host, 0);
    }

    public void download(MemorySegment host, long deviceOffset) {
        checkRange(deviceOffset, host.byteSize());
        settle();
        CudaCalls.check(cudart.cudaMemcpy(CudaCalls.at(host.address()), CudaCalls.at(address + deviceOffset), host.byteSize(),
                cudart.cudaMemcpyDeviceToHost), "cudaMemcpy device->host");
        settle();
    }

    public void fill(int byteValue) {
        settle();
        CudaCalls.check(cudart.cudaMemset(CudaCalls.at(address), byteValue, bytes), "cudaMemset");
        settle();
    }

    private static void settle() {
        CudaCalls.check(cudart.cudaDeviceSynchronize(), "cudaDeviceSynchronize");
    }

    private void checkRange(long offset, long length) {
        if (freed) throw new IllegalStateException("device buffer already freed");
        if (offset < 0 || length < 0 || offset + length > bytes) {
            throw new IndexOutOfBoundsException("copy of " + length + " bytes at offset " + offset + " outside a device buffer of "
                    + bytes + " bytes");
        }
    }

    @Override
    public void close() {
        if (freed) return;
        freed = true;
        cudart.cudaFree(CudaCalls.at(address));
    }
}
