package dev.pagoda.webapi.cli;

import dev.pagoda.webapi.cli.bench.BenchCommand;
import dev.pagoda.webapi.server.PagodaServer;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code pagoda} command: one entry point for every subcommand. */
@Command(
        name = "pagoda",
        mixinStandardHelpOptions = true,
        versionProvider = PagodaCli.Version.class,
        description = "Workstation LLM server: PagedAttention engine, OpenAI-compatible API.",
        subcommands = {ServeCommand.class, PullCommand.class, ModelsCommand.class, BenchCommand.class, JvmOptionsCommand.class})
public final class PagodaCli implements Runnable {

    public static void main(String[] args) {
        System.exit(commandLine().execute(withDefaultSubcommand(args)));
    }

    /**
     * {@code pagoda} alone runs the main job: serving the embedded default model (the GUI takes
     * this place once it exists).
     */
    static String[] withDefaultSubcommand(String[] args) {
        return args.length == 0 ? new String[] {"serve"} : args;
    }

    /** The configured command line, shared by {@link #main} and tests. */
    public static CommandLine commandLine() {
        return commandLine(CommandLine.defaultFactory());
    }

    /** The command line with subcommands made by {@code factory} (tests hand benchmarks a fake engine). */
    public static CommandLine commandLine(CommandLine.IFactory factory) {
        CommandLine cli = new CommandLine(new PagodaCli(), factory);
        // A user error is one line, not a stack trace or a page of usage.
        cli.setExecutionExceptionHandler((ex, line, parsed) -> {
            line.getErr().println("pagoda: " + ex.getMessage());
            return 2;
        });
        cli.setParameterExceptionHandler(PagodaCli::parameterError);
        return cli;
    }

    /**
     * A flag picocli cannot take: a vLLM flag Pagoda lacks says so by name; anything else is
     * picocli's message and where the options are listed, on one line.
     */
    private static int parameterError(CommandLine.ParameterException ex, String[] args) {
        CommandLine line = ex.getCommandLine();
        String message = ex.getMessage();
        if (ex instanceof CommandLine.UnmatchedArgumentException unmatched && takesEngineFlags(line)) {
            for (String arg : unmatched.getUnmatched()) {
                var refusal = UnsupportedVllmFlags.refusal(arg);
                if (refusal.isPresent()) {
                    message = refusal.get();
                    break;
                }
            }
        }
        line.getErr().println("pagoda: " + message + " (see: pagoda " + line.getCommandSpec().qualifiedName(" ")
                .replaceFirst("^pagoda ?", "") + " --help)");
        line.getErr().flush();
        return 2;
    }

    private static boolean takesEngineFlags(CommandLine line) {
        return line.getCommandSpec().mixins().values().stream().anyMatch(m -> m.userObject() instanceof EngineOptions);
    }

    @Override
    public void run() {
        // Reached with options but no subcommand; plain `pagoda` is turned into `serve` by main.
        CommandLine.usage(this, System.out);
    }

    public static String version() {
        return PagodaServer.version();
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"pagoda " + version(), "Java " + Runtime.version()};
        }
    }
}
