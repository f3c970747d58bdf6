package dev.pagoda.engine.cpu.bench;

import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.catalog.tensor.TensorData;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/**
 * Random weights in the exact stored layout of each type: random bytes everywhere (every bit
 * pattern of a quant or a 6-bit scale is legal) with the f16 block scales overwritten by small
 * finite values, so the products stay in a sane range. Used by the benchmark and the tests.
 */
public final class RandomWeights {

    private static final ValueLayout.OfShort I16_LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32_LE =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private RandomWeights() {}

    /** A {@code [out, in]} weight of {@code type} in {@code arena}, filled from {@code seed}. */
    public static TensorData linear(Arena arena, DType type, int out, int in, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long bytes = type.bytesFor((long) out * in);
        MemorySegment data = arena.allocate(bytes, 64);
        switch (type) {
            case F32 -> {
                for (long i = 0; i < bytes; i += 4) data.set(F32_LE, i, (float) random.nextDouble(-1, 1));
            }
            case F16 -> {
                for (long i = 0; i < bytes; i += 2) {
                    data.set(I16_LE, i, Float.floatToFloat16((float) random.nextDouble(-1, 1)));
                }
            }
            case BF16 -> {
                for (long i = 0; i < bytes; i += 2) {
                    data.set(I16_LE, i, (short) (Float.floatToIntBits((float) random.nextDouble(-1, 1)) >>> 16));
                }
            }
            default -> fillBlocks(data, type, random);
        }
        return new TensorData("random." + type + "." + out + "x" + in, type, new long[] {out, in}, data);
    }

    private static void fillBlocks(MemorySegment data, DType type, SplittableRandom random) {
        byte[] block = new byte[type.blockBytes];
        MemorySegment view = MemorySegment.ofArray(block);
        for (long b = 0; b < data.byteSize(); b += type.blockBytes) {
            random.nextBytes(block);
            switch (type) {
                case Q8_0, Q4_0 -> view.set(I16_LE, 0, scale(random));
                case Q4_K, Q5_K -> {
                    view.set(I16_LE, 0, scale(random));
                    view.set(I16_LE, 2, scale(random));
                }
                case Q6_K -> view.set(I16_LE, 208, scale(random));
                default -> throw new IllegalArgumentException("no random block layout for " + type);
            }
            MemorySegment.copy(view, 0, data, b, block.length);
        }
    }

    private static short scale(SplittableRandom random) {
        return Float.floatToFloat16((float) random.nextDouble(1e-3, 2e-2));
    }

    /** {@code rows × cols} f32 values in [-1, 1). */
    public static MemorySegment activations(Arena arena, int rows, int cols, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        MemorySegment s = arena.allocate((long) rows * cols * Float.BYTES, 64);
        for (long i = 0; i < (long) rows * cols; i++) s.setAtIndex(F32_LE, i, (float) random.nextDouble(-1, 1));
        return s;
    }
}
