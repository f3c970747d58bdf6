package dev.pagoda.engine.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Activation rows quantized the way llama.cpp quantizes them before a Q8_0 matmul
 * ({@code quantize_row_q8_0}): per block of 32 values one f32 scale {@code d = max|x| / 127} and
 * 32 integers {@code q = rint(x / d)} in [-127, 127] ({@code rint}: round half to even, what
 * llama.cpp's AVX2 path does). The integers are kept as int16, not int8: the Vector API has no
 * byte multiply, so the kernels multiply int16 lanes and this saves them widening the same
 * activation once per weight row.
 *
 * <p>Holds up to {@link #CHUNK} token rows; a layer with more tokens quantizes and multiplies
 * them a chunk at a time, which bounds this buffer per layer to a few hundred KB whatever the
 * prefill length.
 */
final class Q8Activations {

    /** Token rows held at once. */
    static final int CHUNK = 64;
    static final int BLOCK = 32;
    /** Bytes of one block's quants: 32 int16. */
    static final int BLOCK_QUANT_BYTES = BLOCK * Short.BYTES;

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_128;
    /** Adding and subtracting 1.5·2^23 rounds a float of magnitude below 2^22 to an integer, half to even. */
    private static final float ROUND = 0x1.8p23f;

    private final int inFeatures;
    private final int blocks;
    final MemorySegment quants; // (CHUNK, inFeatures) int16, little-endian
    /**
     * (CHUNK, inFeatures / 32). A Java array, not a segment: C2 removes an array's bounds checks
     * from the kernels' loops, but not those of a segment read at a second long offset (measured:
     * with the scales in a segment the batch-1 kernel kept a check per block and ran ~1.6x slower).
     */
    final float[] scales;

    Q8Activations(int inFeatures) {
        if (inFeatures % BLOCK != 0) {
            throw new IllegalArgumentException("Q8 activations need a multiple of 32 features, got " + inFeatures);
        }
        this.inFeatures = inFeatures;
        this.blocks = inFeatures / BLOCK;
        Arena arena = Arena.ofAuto(); // shared by the pool's threads; freed with the layer
        this.quants = arena.allocate((long) CHUNK * inFeatures * Short.BYTES, 64);
        this.scales = new float[CHUNK * blocks];
    }

    /** Byte offset of token {@code t}'s first quant. */
    long quantOffset(int t) {
        return (long) t * inFeatures * Short.BYTES;
    }

    /** Index of token {@code t}'s first scale. */
    int scaleIndex(int t) {
        return t * blocks;
    }

    /**
     * Quantizes rows {@code [first, first + count)} of {@code in} ((tokens, inFeatures) f32) into
     * rows {@code [0, count)} here.
     */
    void quantize(MemorySegment in, int first, int count) {
        if (count < 1 || count > CHUNK) throw new IllegalArgumentException("count must be in [1, " + CHUNK + "], got " + count);
        for (int t = 0; t < count; t++) {
            long src = (long) (first + t) * inFeatures * Float.BYTES;
            long dst = quantOffset(t);
            int scale = scaleIndex(t);
            for (int b = 0; b < blocks; b++) {
                long x = src + (long) b * BLOCK * Float.BYTES;
                FloatVector v0 = FloatVector.fromMemorySegment(F, in, x, LE);
                FloatVector v1 = FloatVector.fromMemorySegment(F, in, x + 32, LE);
                FloatVector v2 = FloatVector.fromMemorySegment(F, in, x + 64, LE);
                FloatVector v3 = FloatVector.fromMemorySegment(F, in, x + 96, LE);
                float amax = v0.abs().max(v1.abs()).max(v2.abs().max(v3.abs())).reduceLanes(VectorOperators.MAX);
                float d = amax / 127;
                float id = d != 0 ? 1 / d : 0;
                scales[scale + b] = d;
                long q = dst + (long) b * BLOCK_QUANT_BYTES;
                store(v0, id, q);
                store(v1, id, q + 16);
                store(v2, id, q + 32);
                store(v3, id, q + 48);
            }
        }
    }

    /** rint(v · id) as 8 int16 at byte offset {@code q}. */
    private void store(FloatVector v, float id, long q) {
        FloatVector r = v.mul(id).add(ROUND).sub(ROUND);
        ((ShortVector) r.convertShape(VectorOperators.F2S, S, 0)).intoMemorySegment(quants, q, LE);
    }
}
