package dev.pagoda.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pagoda.catalog.quant.Quantize;
import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.catalog.tensor.TensorData;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Weights read from a file mapping (as safetensors and GGUF arrive) give exactly the results of
 * the same bytes in an arena, and a weight whose mapping was closed fails with a clear error
 * instead of reading unmapped memory.
 */
class MappedWeightsTest {

    @TempDir
    Path dir;

    @Test
    void mappedWeightsComputeWhatArenaWeightsComputeAndAClosedMappingIsAClearError() throws IOException {
        int out = 48, in = 64, tokens = 5;
        for (int seed = 0; seed < 4; seed++) {
            Random random = new Random(seed);
            for (DType type : new DType[] {DType.F32, DType.Q8_0}) {
                float[] w = new float[out * in];
                for (int i = 0; i < w.length; i++) w[i] = (float) random.nextGaussian();
                try (Parallel parallel = new Parallel(2); Arena arena = Arena.ofShared()) {
                    MemorySegment stored = encode(type, w, out, in, arena);
                    Path file = dir.resolve("w-" + seed + "-" + type + ".bin");
                    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                        ch.write(stored.asByteBuffer());
                    }
                    MemorySegment x = arena.allocate((long) tokens * in * Float.BYTES, 64);
                    for (int i = 0; i < tokens * in; i++) x.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) random.nextGaussian());
                    MemorySegment yArena = arena.allocate((long) tokens * out * Float.BYTES, 64);
                    MemorySegment yMapped = arena.allocate((long) tokens * out * Float.BYTES, 64);
                    long[] shape = {out, in};
                    LinearKernels.create(new TensorData("w", type, shape, stored), parallel, tokens).forward(x, yArena, tokens);

                    Arena mapping = Arena.ofShared();
                    Linear mapped;
                    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                        MemorySegment m = ch.map(FileChannel.MapMode.READ_ONLY, 0, stored.byteSize(), mapping);
                        mapped = LinearKernels.create(new TensorData("blk.0.ffn_up.weight", type, shape, m), parallel, tokens);
                    }
                    mapped.forward(x, yMapped, tokens);
                    assertArrayEquals(yArena.toArray(ValueLayout.JAVA_FLOAT), yMapped.toArray(ValueLayout.JAVA_FLOAT),
                            "seed " + seed + " " + type);

                    mapping.close();
                    IllegalStateException e = assertThrows(IllegalStateException.class, () -> mapped.forward(x, yMapped, tokens));
                    assertEquals("linear weight blk.0.ffn_up.weight was closed (its file or arena is gone)", e.getMessage());
                }
            }
        }
    }

    private static MemorySegment encode(DType type, float[] w, int out, int in, Arena arena) {
        MemorySegment s = arena.allocate(type.bytesFor(in) * out, 64);
        if (type == DType.F32) {
            MemorySegment.copy(w, 0, s, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, w.length);
        } else {
            Quantize.encode(type, w, 0, w.length, s, 0);
        }
        return s;
    }
}
