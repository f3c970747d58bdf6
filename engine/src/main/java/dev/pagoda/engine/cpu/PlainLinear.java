package dev.pagoda.engine.cpu;

import static dev.pagoda.engine.cpu.Lanes.F;
import static dev.pagoda.engine.cpu.Lanes.N;

import dev.pagoda.catalog.tensor.DType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * F32, F16 and BF16 weights: one element per stored value, so any row length works (a scalar
 * tail covers what the vectors don't). Each type has its own final class with its own copy of
 * the two kernel loops: the JIT compiles a loop once for every receiver, and one loop that
 * switched between three vector decoders grew past the inlining budget, leaving the vectors
 * boxed (tens of times slower).
 */
abstract sealed class PlainLinear extends RowTiledLinear permits F32Linear, F16Linear, BF16Linear {

    private final DType type; // F32, F16 or BF16
    final int elementBytes;
    final int vectorEnd; // elements covered by whole vectors

    PlainLinear(LinearShape shape, DType type, Parallel parallel) {
        super(shape, parallel);
        if (type != DType.F32 && type != DType.F16 && type != DType.BF16) {
            throw new IllegalArgumentException("PlainLinear takes F32, F16 or BF16, got " + type);
        }
        this.type = type;
        this.elementBytes = type == DType.F32 ? 4 : 2;
        this.vectorEnd = inF / N * N;
    }

    private float scalar(MemorySegment w, long offset) {
        return switch (type) {
            case F32 -> w.get(F32_LE, offset);
            case F16 -> Float.float16ToFloat(w.get(I16_LE, offset));
            default -> Float.intBitsToFloat(w.get(I16_LE, offset) << 16);
        };
    }

    /** Lane sum plus the scalar tail, in the same order whichever kernel asked. */
    final float finish(FloatVector acc, long rowOffset, long inOffset) {
        float sum = Lanes.sum(acc);
        MemorySegment w = weight, x = in;
        for (int i = vectorEnd; i < inF; i++) {
            sum += scalar(w, rowOffset + (long) i * elementBytes) * x.get(F32_LE, inOffset + (long) i * Float.BYTES);
        }
        return sum;
    }
}
