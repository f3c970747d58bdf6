package dev.pagoda.engine.cuda;

import java.lang.foreign.MemorySegment;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.Pointer;

/**
 * Page-locked host memory seen as a {@link MemorySegment}: the host writes a step's metadata
 * here and one asynchronous copy moves it to the device (pageable memory would make the copy
 * synchronous and bounce through a driver buffer).
 */
public final class PinnedBuffer implements AutoCloseable {

    private final MemorySegment segment;
    private boolean freed;

    public PinnedBuffer(long bytes) {
        if (bytes <= 0) throw new IllegalArgumentException("pinned allocation of " + bytes + " bytes");
        Pointer p = new Pointer();
        CudaCalls.check(cudart.cudaHostAlloc(p, bytes, cudart.cudaHostAllocDefault), "cudaHostAlloc(" + bytes + ")");
        this.segment = MemorySegment.ofAddress(p.address()).reinterpret(bytes);
    }

    public MemorySegment segment() {
        return segment;
    }

    /** Copies {@code bytes} bytes from the start of this buffer to {@code deviceAddress}, ordered on {@code stream}. */
    public void uploadAsync(long deviceAddress, long bytes, CudaStream stream) {
        uploadAsync(0, deviceAddress, bytes, stream);
    }

    public void uploadAsync(long hostOffset, long deviceAddress, long bytes, CudaStream stream) {
        check(hostOffset, bytes);
        if (bytes == 0) return;
        CudaCalls.check(cudart.cudaMemcpyAsync(CudaCalls.at(deviceAddress), CudaCalls.at(segment.address() + hostOffset), bytes,
                cudart.cudaMemcpyHostToDevice, stream.handle()), "cudaMemcpyAsync host->device");
    }

    /** Copies {@code bytes} bytes from {@code deviceAddress} into this buffer at {@code hostOffset}, ordered on {@code stream}. */
    public void downloadAsync(long deviceAddress, long hostOffset, long bytes, CudaStream stream) {
        check(hostOffset, bytes);
        if (bytes == 0) return;
        CudaCalls.check(cudart.cudaMemcpyAsync(CudaCalls.at(segment.address() + hostOffset), CudaCalls.at(deviceAddress), bytes,
                cudart.cudaMemcpyDeviceToHost, stream.handle()), "cudaMemcpyAsync device->host");
    }

    private void check(long offset, long bytes) {
        if (freed) throw new IllegalStateException("pinned buffer already freed");
        if (offset < 0 || bytes < 0 || offset + bytes > segment.byteSize()) {
            throw new IndexOutOfBoundsException(bytes + " bytes at " + offset + " outside a pinned buffer of " + segment.byteSize());
        }
    }

    @Override
    public void close() {
        if (freed) return;
        freed = true;
        cudart.cudaFreeHost(CudaCalls.at(segment.address()));
    }
}
