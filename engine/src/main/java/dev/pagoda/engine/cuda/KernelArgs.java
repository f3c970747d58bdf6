package dev.pagoda.engine.cuda;

import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * A kernel's argument list for {@code cuLaunchKernel}: {@code void* params[]} whose entry i
 * points at value slot i. Slots are 8 bytes, little-endian, so a 4-byte int or float sits in the
 * low half. Reused across launches (reset, then append), so a launch allocates nothing.
 *
 * <p>Not {@code new PointerPointer(onePointer)}: that is a cast, not a one-element array, and it
 * crashed libcuda (see shared notes).
 */
public final class KernelArgs {

    private final LongPointer values; // (capacity) 8-byte argument slots
    private final PointerPointer<?> params; // (capacity) params[i] = &values[i]
    private final int capacity;
    private int count;

    public KernelArgs(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be >= 1");
        this.capacity = capacity;
        this.values = new LongPointer(capacity);
        this.params = new PointerPointer<>(capacity);
        for (int i = 0; i < capacity; i++) params.put(i, CudaCalls.at(values.address() + 8L * i));
    }

    public KernelArgs reset() {
        count = 0;
        return this;
    }

    public KernelArgs ptr(long address) {
        return i64(address);
    }

    public KernelArgs i32(int v) {
        return i64(v & 0xFFFF_FFFFL);
    }

    public KernelArgs f32(float v) {
        return i32(Float.floatToRawIntBits(v));
    }

    public KernelArgs i64(long v) {
        if (count == capacity) throw new IllegalStateException("more than " + capacity + " kernel arguments");
        values.put(count++, v);
        return this;
    }

    int count() {
        return count;
    }

    PointerPointer<?> params() {
        return params;
    }
}
