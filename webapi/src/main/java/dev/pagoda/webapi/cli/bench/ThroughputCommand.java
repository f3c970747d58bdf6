package dev.pagoda.webapi.cli.bench;

import dev.pagoda.engine.api.InferenceEngine;
import dev.pagoda.engine.core.EngineConfig;
import dev.pagoda.webapi.cli.EngineLauncher;
import dev.pagoda.webapi.cli.EngineOptions;
import dev.pagoda.engine.structured.StructuredOutput;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pagoda bench throughput}: offline throughput as vLLM's {@code benchmark_throughput.py}
 * measures it — every prompt submitted at once, the clock stopped when the last one finishes.
 */
@Command(name = "throughput", mixinStandardHelpOptions = true,
        description = "Offline throughput: all prompts at once, random token ids, fixed lengths, ignore_eos.")
public final class ThroughputCommand implements Callable<Integer> {

    @Mixin
    EngineOptions engineOptions;

    @Option(names = "--num-prompts", defaultValue = "100", paramLabel = "N", description = "Requests (default: ${DEFAULT-VALUE}).")
    int numPrompts;

    @Option(names = "--input-len", defaultValue = "128", paramLabel = "N", description = "Prompt tokens per request (default: ${DEFAULT-VALUE}).")
    int inputLen;

    @Option(names = "--output-len", defaultValue = "128", paramLabel = "N", description = "Generated tokens per request (default: ${DEFAULT-VALUE}).")
    int outputLen;

    @Option(names = "--output-json", paramLabel = "FILE", description = "Also write the results to FILE as JSON.")
    Path outputJson;

    @Option(names = "--structured-output-schema", paramLabel = "FILE", description = "Hold every request to the JSON Schema in "
            + "FILE (structured output); compare with the same run without it. An output that completes its grammar emits EOS up to "
            + "--output-len, as ignore_eos does; the tokens before that are reported.")
    Path structuredOutputSchema;

    @Spec
    CommandSpec spec;

    private final EngineLauncher launcher;

    /** Benchmarks the engine {@code launcher} starts. */
    public ThroughputCommand(EngineLauncher launcher) {
        this.launcher = launcher;
    }

    public ThroughputCommand() {
        this(EngineLauncher.local());
    }

    @Override
    public Integer call() throws InterruptedException {
        Workload workload = Workload.checked(numPrompts, "--num-prompts", inputLen, outputLen);
        EngineConfig config = engineOptions.toConfig(engineOptions.model()).build();
        StructuredOutput constraint = structuredOutputSchema == null ? null : readSchema(structuredOutputSchema);
        PrintWriter out = spec.commandLine().getOut();
        try (InferenceEngine engine = launcher.start(config)) {
            workload.checkFits(engine.model());
            int[][] prompts = workload.prompts(engine.model(), engineOptions.seed());
            BatchRunner runner = new BatchRunner(engine, constraint);
            if (constraint != null) warmUp(runner, prompts[0], out);
            BatchOutcome outcome = runner.run(prompts, outputLen, engineOptions.seed());
            ThroughputResult r = ThroughputResult.of(numPrompts, outcome);
            print(out, r);
            if (constraint != null) {
                out.println(String.format(Locale.ROOT, "Structured output: %d of %d output tokens were generated while the grammar was open "
                        + "(the rest are EOS after it completed)", runner.constrainedTokens(), r.totalOutputTokens()));
                out.flush();
            }
            if (outputJson != null) BenchJson.write(r, outputJson);
        }
        return 0;
    }

    private static StructuredOutput readSchema(Path file) {
        try {
            return new StructuredOutput.JsonSchema(Files.readString(file), false, "--structured-output-schema");
        } catch (IOException e) {
            throw new IllegalArgumentException("--structured-output-schema " + file + ": cannot read it (" + e.getMessage() + ")");
        }
    }

    /** Compiles the grammar (one one-token request) before the clock starts; a schema that cannot be compiled is the command's error. */
    private void warmUp(BatchRunner runner, int[] prompt, PrintWriter out) throws InterruptedException {
        long start = System.nanoTime();
        try {
            runner.warmUp(prompt);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--structured-output-schema " + structuredOutputSchema + ": " + e.getMessage());
        }
        out.println(String.format(Locale.ROOT, "Structured output: %s, grammar compiled and one token sampled in %.1f ms",
                structuredOutputSchema, (System.nanoTime() - start) / 1e6));
    }

    static void print(PrintWriter out, ThroughputResult r) {
        out.println(String.format(Locale.ROOT, "Throughput: %.2f requests/s, %.2f total tokens/s, %.2f output tokens/s",
                r.requestsPerSecond(), r.tokensPerSecond(), r.outputTokensPerSecond()));
        out.println("Total num prompt tokens:  " + r.totalPromptTokens());
        out.println("Total num output tokens:  " + r.totalOutputTokens());
        out.println(String.format(Locale.ROOT, "Elapsed time: %.3f s", r.elapsedTime()));
        StepTimes st = r.steps();
        out.println(String.format(Locale.ROOT, "Engine steps: %d prefill (mean %.2f ms), %d decode (mean %.2f ms, %.2f decode tokens/s)",
                st.prefillSteps(), st.meanPrefillStepMs(), st.decodeSteps(), st.meanDecodeStepMs(), st.decodeTokensPerSecond()));
        out.println("Preemptions: " + st.preemptions() + " (requests whose KV blocks were freed for others and recomputed later)");
        out.flush();
    }
}
