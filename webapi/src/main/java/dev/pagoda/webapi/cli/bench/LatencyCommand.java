package dev.pagoda.webapi.cli.bench;

import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.engine.api.InferenceEngine;
import dev.pagoda.engine.core.EngineConfig;
import dev.pagoda.webapi.cli.EngineLauncher;
import dev.pagoda.webapi.cli.EngineOptions;
import dev.pagoda.engine.bench.MemoryFloor;
import dev.pagoda.engine.cuda.CudaBandwidth;
import dev.pagoda.engine.cuda.CudaDevice;
import dev.pagoda.engine.telemetry.StepStats;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pagoda bench latency}: as vLLM's {@code benchmark_latency.py}, one batch of
 * {@code --batch-size} prompts generated start to finish, repeated; prints the end-to-end latency
 * per iteration and, from the engine's step statistics, the time of one decode step, then the
 * memory floor of a decode step ({@link MemoryFloor}) to read it against.
 */
@Command(name = "latency", mixinStandardHelpOptions = true,
        description = "Latency of one batch end to end, and the time per decode step.")
public final class LatencyCommand implements Callable<Integer> {

    @Mixin
    EngineOptions engineOptions;

    @Option(names = "--batch-size", defaultValue = "8", paramLabel = "N", description = "Prompts per batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--input-len", defaultValue = "32", paramLabel = "N", description = "Prompt tokens per request (default: ${DEFAULT-VALUE}).")
    int inputLen;

    @Option(names = "--output-len", defaultValue = "128", paramLabel = "N", description = "Generated tokens per request (default: ${DEFAULT-VALUE}).")
    int outputLen;

    @Option(names = "--num-iters-warmup", defaultValue = "10", paramLabel = "N", description = "Untimed batches first (default: ${DEFAULT-VALUE}).")
    int numItersWarmup;

    @Option(names = "--num-iters", defaultValue = "30", paramLabel = "N", description = "Timed batches (default: ${DEFAULT-VALUE}).")
    int numIters;

    @Option(names = "--output-json", paramLabel = "FILE", description = "Also write the results to FILE as JSON.")
    Path outputJson;

    @Spec
    CommandSpec spec;

    private final EngineLauncher launcher;

    /** Benchmarks the engine {@code launcher} starts. */
    public LatencyCommand(EngineLauncher launcher) {
        this.launcher = launcher;
    }

    public LatencyCommand() {
        this(EngineLauncher.local());
    }

    @Override
    public Integer call() throws InterruptedException {
        Workload workload = Workload.checked(batchSize, "--batch-size", inputLen, outputLen);
        if (numIters < 1) throw new IllegalArgumentException("--num-iters must be >= 1, got " + numIters);
        if (numItersWarmup < 0) throw new IllegalArgumentException("--num-iters-warmup must be >= 0, got " + numItersWarmup);
        EngineConfig config = engineOptions.toConfig(engineOptions.model()).build();
        PrintWriter out = spec.commandLine().getOut();
        try (InferenceEngine engine = launcher.start(config)) {
            workload.checkFits(engine.model());
            BatchRunner runner = new BatchRunner(engine);
            long seed = engineOptions.seed();
            // vLLM reuses one batch of prompts; so does this, and prefix caching would then turn
            // every later prefill into a cache hit: a fresh seed per iteration keeps prefills real.
            for (int i = 0; i < numItersWarmup; i++) {
                runner.run(workload.prompts(engine.model(), seed + i), outputLen, seed);
            }
            double[] latencies = new double[numIters];
            List<StepStats> steps = new ArrayList<>();
            for (int i = 0; i < numIters; i++) {
                BatchOutcome o = runner.run(workload.prompts(engine.model(), seed + numItersWarmup + i), outputLen, seed);
                latencies[i] = o.elapsedSeconds();
                steps.addAll(o.steps());
            }
            LatencyResult r = LatencyResult.of(latencies, workload, StepTimes.of(steps));
            print(out, r);
            out.println(engine.model().device().startsWith("cuda")
                    ? gpuMemoryFloorLine(engine.model().spec(), engine.model().device())
                    : memoryFloorLine(engine.model().spec(), engine.model().weightDtype(), engineOptions.threads()));
            out.flush();
            if (outputJson != null) BenchJson.write(r, outputJson);
        }
        return 0;
    }

    /** Copy buffer for the bandwidth measurement: 256 MiB, several times any CPU's last-level cache. */
    private static final long COPY_BYTES = 256L << 20;

    /**
     * One line: the weight bytes a decode step reads over this machine's measured memory copy
     * bandwidth, the least time a step can take, to read the decode step time against. The
     * weights are counted as {@code weightDtype} throughout (a GGUF mixing types is approximated
     * by its embedding's type).
     */
    static String memoryFloorLine(ModelSpec spec, String weightDtype, Integer threads) {
        long bytes;
        try {
            bytes = MemoryFloor.decodeWeightBytes(spec, DType.valueOf(weightDtype));
        } catch (IllegalArgumentException e) {
            return "Memory floor: unknown for " + weightDtype + " weights (" + e.getMessage() + ")";
        }
        int copyThreads = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        MemoryFloor floor = new MemoryFloor(bytes, MemoryFloor.measureCopyGBPerSec(COPY_BYTES, copyThreads, 3));
        return String.format(Locale.ROOT,
                "Memory floor: %.3f ms per decode step = %.3f GB of %s weights / %.2f GB/s host memory copy bandwidth (%d threads)",
                floor.millis(), bytes / 1e9, weightDtype, floor.copyGBPerSec(), copyThreads);
    }

    /**
     * The GPU's floor: bf16 weight bytes over the device's measured copy bandwidth (read + write,
     * as a decode step streams weights through the SMs once). Measured after the run, in the
     * memory {@code --gpu-memory-utilization} leaves free.
     */
    static String gpuMemoryFloorLine(ModelSpec spec, String device) {
        long bytes = MemoryFloor.decodeWeightBytes(spec, DType.BF16);
        int ordinal = CudaDevice.ordinalOf(device);
        try (CudaDevice cuda = CudaDevice.open(ordinal)) {
            double perSecond = CudaBandwidth.copyBytesPerSecond(cuda, COPY_BYTES);
            return String.format(Locale.ROOT,
                    "Memory floor: %.3f ms per decode step = %.3f GB of BF16 weights / %.2f TB/s device copy bandwidth (%s)",
                    bytes / perSecond * 1e3, bytes / 1e9, perSecond / 1e12, cuda.name());
        } catch (RuntimeException e) {
            return "Memory floor: unknown (" + e.getMessage() + ")";
        }
    }

    static void print(PrintWriter out, LatencyResult r) {
        out.println(String.format(Locale.ROOT, "Avg latency: %.6f seconds", r.avgLatency()));
        for (Map.Entry<String, Double> p : r.percentiles().entrySet()) {
            out.println(String.format(Locale.ROOT, "%s%% percentile latency: %.6f seconds", p.getKey(), p.getValue()));
        }
        StepTimes st = r.steps();
        out.println(String.format(Locale.ROOT,
                "Decode step (batch %d): mean %.3f ms, median %.3f ms, p99 %.3f ms per token per sequence over %d steps; %.2f decode tokens/s",
                r.batchSize(), st.meanDecodeStepMs(), st.p50DecodeStepMs(), st.p99DecodeStepMs(), st.decodeSteps(),
                st.decodeTokensPerSecond()));
        out.println(String.format(Locale.ROOT, "Prefill steps: %d, mean %.3f ms, %d prompt tokens",
                st.prefillSteps(), st.meanPrefillStepMs(), st.prefillTokens()));
        out.flush();
    }
}
