package dev.pagoda.engine.cpu.bench;

import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.catalog.tensor.TensorData;
import dev.pagoda.engine.cpu.Linear;
import dev.pagoda.engine.cpu.LinearKernels;
import dev.pagoda.engine.cpu.Parallel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Times {@link LinearKernels} on the linear shapes of qwen2.5-0.5b for each weight type at 1 and
 * 16 tokens: milliseconds per call, weight bytes streamed per second, and GFLOP/s.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp engine/target/classes:models-catalog/target/classes
 * dev.pagoda.engine.cpu.bench.LinearBench [--threads 2] [--types F32,Q8_0] [--seconds 0.5]}
 */
public final class LinearBench {

    /** (out, in) of qwen2.5-0.5b: q/o proj, k/v proj, gate/up, down, lm_head. */
    private static final int[][] SHAPES = {{896, 896}, {128, 896}, {4864, 896}, {896, 4864}, {151936, 896}};
    private static final int[] TOKENS = {1, 16};

    private LinearBench() {}

    public static void main(String[] args) {
        int threads = 2;
        double seconds = 0.5;
        List<DType> types = new ArrayList<>(List.of(DType.F32, DType.F16, DType.BF16, DType.Q8_0, DType.Q4_0,
                DType.Q4_K, DType.Q5_K, DType.Q6_K));
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[i + 1]);
                case "--seconds" -> seconds = Double.parseDouble(args[i + 1]);
                case "--types" -> {
                    types.clear();
                    for (String t : args[i + 1].split(",")) types.add(DType.valueOf(t.trim()));
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; options are --threads N, --types F32,Q8_0,..., --seconds S");
            }
        }
        System.out.printf(Locale.ROOT, "threads=%d lanes=%s%n", threads,
                jdk.incubator.vector.FloatVector.SPECIES_PREFERRED);
        System.out.printf(Locale.ROOT, "%-5s %-12s %6s %10s %8s %9s%n", "type", "out x in", "tokens", "ms/call",
                "GB/s", "GFLOP/s");
        try (Parallel parallel = new Parallel(threads)) {
            for (DType type : types) {
                for (int[] shape : SHAPES) {
                    try (Arena arena = Arena.ofShared()) {
                        bench(arena, parallel, type, shape[0], shape[1], seconds);
                    }
                }
            }
        }
    }

    private static void bench(Arena arena, Parallel parallel, DType type, int out, int in, double seconds) {
        TensorData weight = RandomWeights.linear(arena, type, out, in, 42);
        int maxTokens = TOKENS[TOKENS.length - 1];
        Linear linear = LinearKernels.create(weight, parallel, maxTokens);
        MemorySegment x = RandomWeights.activations(arena, maxTokens, in, 7);
        MemorySegment y = arena.allocate((long) maxTokens * out * Float.BYTES, 64);
        for (int tokens : TOKENS) {
            long deadline = System.nanoTime() + (long) (seconds * 0.3e9);
            while (System.nanoTime() < deadline) linear.forward(x, y, tokens); // warm-up
            long calls = 0, start = System.nanoTime(), elapsed;
            do {
                linear.forward(x, y, tokens);
                calls++;
                elapsed = System.nanoTime() - start;
            } while (elapsed < seconds * 1e9 || calls < 3);
            double perCall = elapsed / 1e9 / calls;
            double gbs = weight.data().byteSize() / perCall / 1e9;
            double gflops = 2.0 * out * in * tokens / perCall / 1e9;
            System.out.printf(Locale.ROOT, "%-5s %-12s %6d %10.3f %8.2f %9.2f%n", type, out + "x" + in, tokens,
                    perCall * 1e3, gbs, gflops);
        }
    }
}
