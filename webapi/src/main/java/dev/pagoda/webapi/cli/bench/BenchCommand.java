package dev.pagoda.webapi.cli.bench;

import dev.pagoda.webapi.bench.serve.BenchServeCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code pagoda bench}: the benchmark commands, shaped after vLLM's so their numbers compare. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks (vLLM's benchmark shapes).",
        subcommands = {ThroughputCommand.class, LatencyCommand.class, BenchServeCommand.class})
public final class BenchCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
