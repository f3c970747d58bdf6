package dev.pagoda.engine.cuda.kernels;

import dev.pagoda.engine.cuda.Bf16;
import dev.pagoda.engine.cuda.CudaDevice;
import dev.pagoda.engine.cuda.DeviceBuffer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * Test helper: host arrays to device buffers and back; closes every buffer it made. The device
 * is synchronised after each upload and before each read: DeviceBuffer's copies run on the legacy
 * stream, which is not ordered against the kernels' non-blocking stream (and a pageable upload
 * may return before its DMA lands).
 */
final class DeviceArrays implements AutoCloseable {

    private final CudaDevice device;
    private final Arena arena = Arena.ofShared();
    private final List<DeviceBuffer> buffers = new ArrayList<>();

    DeviceArrays(CudaDevice device) {
        this.device = device;
    }

    CudaDevice device() {
        return device;
    }

    /** Contents undefined. */
    DeviceBuffer alloc(long bytes) {
        DeviceBuffer b = device.allocate(Math.max(16, bytes));
        buffers.add(b);
        return b;
    }

    DeviceBuffer f32(float[] v) {
        return upload(arena.allocateFrom(ValueLayout.JAVA_FLOAT, v));
    }

    /** Values rounded to bf16 on upload. */
    DeviceBuffer bf16(float[] v) {
        return upload(Bf16.encode(arena, v));
    }

    DeviceBuffer i32(int[] v) {
        return upload(arena.allocateFrom(ValueLayout.JAVA_INT, v));
    }

    DeviceBuffer i64(long[] v) {
        return upload(arena.allocateFrom(ValueLayout.JAVA_LONG, v));
    }

    private DeviceBuffer upload(MemorySegment host) {
        DeviceBuffer b = alloc(host.byteSize());
        if (host.byteSize() > 0) b.upload(host);
        return b;
    }

    float[] readF32(DeviceBuffer b, int n) {
        return fetch(b, 4L * n).toArray(ValueLayout.JAVA_FLOAT);
    }

    float[] readBf16(DeviceBuffer b, int n) {
        return Bf16.decode(fetch(b, 2L * n), n);
    }

    short[] readBits16(DeviceBuffer b, int n) {
        return fetch(b, 2L * n).toArray(ValueLayout.JAVA_SHORT);
    }

    int[] readI32(DeviceBuffer b, int n) {
        return fetch(b, 4L * n).toArray(ValueLayout.JAVA_INT);
    }

    /** The first {@code bytes} of {@code b}, after all queued work (DeviceBuffer.download waits for it). */
    private MemorySegment fetch(DeviceBuffer b, long bytes) {
        MemorySegment host = arena.allocate(bytes, 4);
        b.download(host);
        return host;
    }

    @Override
    public void close() {
        for (DeviceBuffer b : buffers) b.close();
        arena.close();
    }
}
