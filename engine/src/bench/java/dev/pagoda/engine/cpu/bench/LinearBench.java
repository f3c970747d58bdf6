package dev.pagoda.engine.cpu.bench;

import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.catalog.tensor.TensorData;
import dev.pagoda.engine.cpu.Linear;
import dev.pagoda.engine.cpu.LinearKernels;
import dev.pagoda.engine.cpu.Parallel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Times {@link LinearKernels} on the linear shapes of qwen2.5-0.5b for each weight type at 1 and
 * 16 tokens (or the {@code --tokens} counts): milliseconds per call, weight bytes streamed per
 * second, and GFLOP/s.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp engine/target/classes:models-catalog/target/classes
 * dev.pagoda.engine.cpu.bench.LinearBench [--threads 2] [--types F32,Q8_0] [--tokens 1,16] [--seconds 1] [--warmup 3]}
 */
public final class LinearBench {

    /** (out, in) of qwen2.5-0.5b: q/o proj, k/v proj, gate/up, down, lm_head. */
    private static final int[][] SHAPES = {{896, 896}, {128, 896}, {4864, 896}, {896, 4864}, {151936, 896}};
    /**
     * Timing windows per case; the best one is reported, because on a shared machine the
     * slower windows measure the neighbours, not the kernel.
     */
    private static final int WINDOWS = 5;

    private static final com.sun.management.OperatingSystemMXBean CPU =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private LinearBench() {}

    public static void main(String[] args) {
        int threads = 2;
        double warmUpSeconds = 3;
        double seconds = 1;
        int[] tokenCounts = {1, 16};
        List<DType> types = new ArrayList<>(List.of(DType.F32, DType.F16, DType.BF16, DType.Q8_0, DType.Q4_0,
                DType.Q4_K, DType.Q5_K, DType.Q6_K));
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[i + 1]);
                case "--seconds" -> seconds = Double.parseDouble(args[i + 1]);
                case "--warmup" -> warmUpSeconds = Double.parseDouble(args[i + 1]);
                case "--tokens" -> tokenCounts = Arrays.stream(args[i + 1].split(",")).mapToInt(t -> Integer.parseInt(t.trim())).toArray();
                case "--types" -> {
                    types.clear();
                    for (String t : args[i + 1].split(",")) types.add(DType.valueOf(t.trim()));
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; options are --threads N, --types F32,Q8_0,..., --tokens 1,16, --seconds S, --warmup S");
            }
        }
        if (Arrays.stream(tokenCounts).anyMatch(n -> n < 1)) {
            throw new IllegalArgumentException("--tokens takes counts of at least 1, got " + Arrays.toString(tokenCounts));
        }
        System.out.printf(Locale.ROOT, "threads=%d lanes=%s%n", threads,
                jdk.incubator.vector.FloatVector.SPECIES_PREFERRED);
        System.out.printf(Locale.ROOT, "%-5s %-12s %6s %10s %8s %9s %11s %12s%n", "type", "out x in", "tokens",
                "ms/call", "GB/s", "GFLOP/s", "cpu-ms/call", "bytes/call");
        try (Parallel parallel = new Parallel(threads)) {
            for (DType type : types) {
                warmUp(parallel, type, warmUpSeconds, tokenCounts);
                for (int[] shape : SHAPES) {
                    if (shape[1] % type.blockElements != 0) {
                        // llama.cpp stores such tensors in another type (Q4_K_M files of this model do)
                        System.out.printf(Locale.ROOT, "%-5s %-12s rows of %d are not whole %d-element blocks%n",
                                type, shape[0] + "x" + shape[1], shape[1], type.blockElements);
                        continue;
                    }
                    try (Arena arena = Arena.ofShared()) {
                        bench(arena, parallel, type, shape[0], shape[1], seconds, tokenCounts);
                    }
                }
            }
        }
    }

    /**
     * Runs the kernels of a type at every token count until the JIT has compiled them: until then the Vector API
     * runs boxed, hundreds of times slower, and on a loaded machine compilation takes seconds.
     */
    private static void warmUp(Parallel parallel, DType type, double seconds, int[] counts) {
        try (Arena arena = Arena.ofShared()) {
            int in = 256, out = 64, tokens = Arrays.stream(counts).max().orElseThrow(); // small: many calls compile sooner
            Linear linear = LinearKernels.create(RandomWeights.linear(arena, type, out, in, 1), parallel, tokens);
            MemorySegment x = RandomWeights.activations(arena, tokens, in, 2);
            MemorySegment y = arena.allocate((long) tokens * out * Float.BYTES);
            long deadline = System.nanoTime() + (long) (seconds * 1e9);
            while (System.nanoTime() < deadline) {
                for (int n : counts) linear.forward(x, y, n);
            }
        }
    }

    private static void bench(Arena arena, Parallel parallel, DType type, int out, int in, double seconds, int[] counts) {
        TensorData weight = RandomWeights.linear(arena, type, out, in, 42);
        int maxTokens = Arrays.stream(counts).max().orElseThrow();
        Linear linear = LinearKernels.create(weight, parallel, maxTokens);
        MemorySegment x = RandomWeights.activations(arena, maxTokens, in, 7);
        MemorySegment y = arena.allocate((long) maxTokens * out * Float.BYTES, 64);
        for (int tokens : counts) {
            long deadline = System.nanoTime() + (long) (seconds * 0.3e9);
            while (System.nanoTime() < deadline) linear.forward(x, y, tokens); // warm-up
            double perCall = Double.MAX_VALUE, cpuPerCall = Double.MAX_VALUE, allocated = Double.MAX_VALUE;
            for (int window = 0; window < WINDOWS; window++) {
                Window w = timeWindow(linear, x, y, tokens, seconds / WINDOWS);
                perCall = Math.min(perCall, w.wallSeconds());
                cpuPerCall = Math.min(cpuPerCall, w.cpuSeconds());
                allocated = Math.min(allocated, w.allocatedBytes());
            }
            double gbs = weight.data().byteSize() / perCall / 1e9;
            double gflops = 2.0 * out * in * tokens / perCall / 1e9;
            System.out.printf(Locale.ROOT, "%-5s %-12s %6d %10.3f %8.2f %9.2f %11.3f %12.0f%n", type, out + "x" + in,
                    tokens, perCall * 1e3, gbs, gflops, cpuPerCall * 1e3, allocated);
        }
    }

    /** Wall and process CPU seconds, and bytes allocated by all threads, per call over one window. */
    private record Window(double wallSeconds, double cpuSeconds, double allocatedBytes) {}

    /**
     * One window of about {@code seconds} (at least 3 calls). The process CPU time per call
     * (all threads together) is less disturbed by neighbours than the wall time: waiting for a
     * core costs no CPU time.
     */
    private static Window timeWindow(Linear linear, MemorySegment x, MemorySegment y, int tokens, double seconds) {
        long calls = 0, start = System.nanoTime(), cpuStart = CPU.getProcessCpuTime(), elapsed;
        long allocStart = THREADS.getTotalThreadAllocatedBytes();
        do {
            linear.forward(x, y, tokens);
            calls++;
            elapsed = System.nanoTime() - start;
        } while (elapsed < seconds * 1e9 || calls < 3);
        long cpu = CPU.getProcessCpuTime() - cpuStart;
        long allocated = THREADS.getTotalThreadAllocatedBytes() - allocStart;
        return new Window(elapsed / 1e9 / calls, cpu / 1e9 / calls, (double) allocated / calls);
    }
}
