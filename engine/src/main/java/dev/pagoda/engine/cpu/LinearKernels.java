package dev.pagoda.engine.cpu;

import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.catalog.tensor.TensorData;
import java.lang.foreign.MemorySegment;

/**
 * Builds the CPU {@link Linear} for a stored weight. The kernels read the weight in place (a
 * slice of a memory-mapped file is fine) and decode quantized blocks in registers; nothing the
 * size of the weight is ever copied. Activations stay f32, except for Q8_0, whose kernel
 * quantizes them to int8 blocks first as llama.cpp does and multiplies integers (see
 * {@link Q8_0Linear}: measured about twice as fast as widening the weights to float).
 *
 * <p>The weight and the {@code in}/{@code out} segments are read by the pool's threads, so they
 * must come from a global, automatic or shared arena (a confined one fails with
 * {@link WrongThreadException}). A layer serves one {@code forward} call at a time.
 */
public final class LinearKernels {

    private LinearKernels() {}

    /**
     * @param weight    a rank-2 tensor {@code [outFeatures, inFeatures]} of F32, F16, BF16, Q8_0,
     *                  Q4_0, Q4_K, Q5_K or Q6_K
     * @param parallel  the worker pool the layer splits its rows over
     * @param maxTokens the most tokens one {@code forward} call will pass
     * @throws IllegalArgumentException naming the tensor when its type, shape or byte size is unusable
     */
    public static Linear create(TensorData weight, Parallel parallel, int maxTokens) {
        if (weight == null) throw new IllegalArgumentException("weight is null");
        if (parallel == null) throw new IllegalArgumentException("parallel is null for " + weight.name());
        LinearShape shape = validate(weight, maxTokens);
        return switch (weight.dtype()) {
            case F32 -> new F32Linear(shape, parallel);
            case F16 -> new F16Linear(shape, parallel);
            case BF16 -> new BF16Linear(shape, parallel);
            case Q8_0 -> new Q8_0Linear(shape, parallel);
            case Q4_0 -> new Q4_0Linear(shape, parallel);
            case Q4_K, Q5_K -> new Q45_KLinear(shape, weight.dtype(), parallel);
            case Q6_K -> new Q6_KLinear(shape, parallel);
            default -> throw new IllegalArgumentException("linear weight " + weight.name() + " has type "
                    + weight.dtype() + "; supported are F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q5_K, Q6_K");
        };
    }

    private static LinearShape validate(TensorData weight, int maxTokens) {
        String name = weight.name();
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be >= 1 for " + name + ", got " + maxTokens);
        }
        if (weight.rank() != 2) {
            throw new IllegalArgumentException("linear weight " + weight + " must have rank 2 [out, in]");
        }
        long out = weight.dim(0), in = weight.dim(1);
        if (out < 1 || in < 1 || out > Integer.MAX_VALUE || in > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("linear weight " + weight + " has an unusable shape");
        }
        DType type = weight.dtype();
        if (in % type.blockElements != 0) {
            throw new IllegalArgumentException("linear weight " + weight + ": " + type + " rows need a multiple of "
                    + type.blockElements + " elements, got " + in);
        }
        long rowBytes = type.bytesFor(in);
        long expected = Math.multiplyExact(rowBytes, out);
        if (weight.data() == null || weight.data().byteSize() != expected) {
            throw new IllegalArgumentException("linear weight " + weight + " holds "
                    + (weight.data() == null ? "no data" : weight.data().byteSize() + " bytes")
                    + ", expected " + expected);
        }
        return new LinearShape(nativeView(weight.data()), weight.data(), name, (int) in, (int) out, rowBytes, maxTokens);
    }

    /**
     * The same memory as a plain native segment. Weights usually arrive as file mappings
     * (safetensors, GGUF) while activations live in arenas: two segment classes. The kernels'
     * load helpers are shared by weights and activations, so C2's type profile there turns
     * bimorphic and the vector loads lose their fast path: measured on this machine, F32
     * 4864x896 at 16 tokens took 7.4-7.8 ms over a mapping and 3.4-3.6 ms over the same bytes
     * viewed as native memory (Q8_0: 110 vs 19-26 ms). The view outlives no check: the kernel
     * tests {@link LinearShape#stored()}'s scope before every call, so a closed file is a clear
     * error rather than a crash.
     */
    private static MemorySegment nativeView(MemorySegment data) {
        if (!data.isNative()) return data; // heap arrays have no address to view
        return MemorySegment.ofAddress(data.address()).reinterpret(data.byteSize());
    }
}
