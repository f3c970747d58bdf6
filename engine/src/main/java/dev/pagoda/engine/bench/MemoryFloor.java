package dev.pagoda.engine.bench;

import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.tensor.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The least time a decode step can take on a memory-bound machine: every weight the step reads,
 * read once, at the measured copy bandwidth. A step's measured time is read against it: the gap
 * is what kernels, attention and the engine loop add.
 *
 * @param weightBytes   bytes of weights one decode step reads
 * @param copyGBPerSec  measured copy bandwidth, bytes read plus bytes written per second / 1e9 (as STREAM counts)
 */
public record MemoryFloor(long weightBytes, double copyGBPerSec) {

    /** Milliseconds to read {@link #weightBytes} at {@link #copyGBPerSec}. */
    public double millis() {
        return weightBytes / (copyGBPerSec * 1e9) * 1e3;
    }

    /**
     * Bytes of weights one decode step reads when the matrices are stored as {@code matrixType}:
     * per layer the q, k, v, o, gate, up and down matrices and the f32 norms (and biases, q/k
     * norms where the architecture has them), then the final norm and the lm_head — the
     * embedding when tied. An untied embedding is not counted: a step gathers one row of it per
     * token, not the matrix.
     *
     * @throws IllegalArgumentException when a row of a matrix is not a whole number of the type's blocks
     */
    public static long decodeWeightBytes(ModelSpec spec, DType matrixType) {
        long d = spec.hiddenSize(), q = spec.qDim(), kv = spec.kvDim(), ff = spec.intermediateSize();
        long matrices = matrix(matrixType, q, d) + 2 * matrix(matrixType, kv, d) + matrix(matrixType, d, q)
                + 2 * matrix(matrixType, ff, d) + matrix(matrixType, d, ff);
        long vectors = 2 * d + (spec.attentionBias() ? q + 2 * kv : 0) + (spec.qkNorm() ? 2L * spec.headDim() : 0);
        long perLayer = matrices + vectors * Float.BYTES;
        return spec.numLayers() * perLayer + d * Float.BYTES + matrix(matrixType, spec.vocabSize(), d);
    }

    private static long matrix(DType type, long rows, long columns) {
        if (columns % type.blockElements != 0) {
            throw new IllegalArgumentException(type + " rows need a multiple of " + type.blockElements
                    + " elements, got " + columns);
        }
        return rows * type.bytesFor(columns);
    }

    /**
     * Copy bandwidth of this machine's memory: {@code threads} threads each copy their share of a
     * {@code bytes} buffer into another, best of {@code rounds}. The buffers should be several
     * times the last-level cache, so the copy measures memory, not cache.
     */
    public static double measureCopyGBPerSec(long bytes, int threads, int rounds) {
        if (bytes < threads || threads < 1 || rounds < 1) {
            throw new IllegalArgumentException("need bytes >= threads >= 1 and rounds >= 1, got " + bytes + ", " + threads + ", " + rounds);
        }
        try (Arena arena = Arena.ofShared()) {
            MemorySegment from = arena.allocate(bytes, 4096), to = arena.allocate(bytes, 4096);
            from.fill((byte) 1); // touch every page before timing
            to.fill((byte) 2);
            double best = Double.MAX_VALUE;
            for (int r = 0; r < rounds; r++) best = Math.min(best, timedCopy(from, to, threads));
            return 2.0 * bytes / best / 1e9;
        }
    }

    private static double timedCopy(MemorySegment from, MemorySegment to, int threads) {
        long share = from.byteSize() / threads;
        List<Thread> workers = new ArrayList<>(threads);
        long t0 = System.nanoTime();
        for (int i = 0; i < threads; i++) {
            long offset = i * share, length = i == threads - 1 ? from.byteSize() - offset : share;
            workers.add(Thread.ofPlatform().start(() -> MemorySegment.copy(from, offset, to, offset, length)));
        }
        for (Thread w : workers) {
            try {
                w.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while measuring copy bandwidth", e);
            }
        }
        return (System.nanoTime() - t0) / 1e9;
    }
}
