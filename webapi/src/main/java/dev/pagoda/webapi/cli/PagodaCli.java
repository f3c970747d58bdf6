package dev.pagoda.webapi.cli;

import dev.pagoda.webapi.cli.bench.BenchCommand;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code pagoda} command: one entry point for every subcommand. */
@Command(
        name = "pagoda",
        mixinStandardHelpOptions = true,
        versionProvider = PagodaCli.Version.class,
        description = "Workstation LLM server: PagedAttention engine, OpenAI-compatible API.",
        subcommands = {ModelsCommand.class, BenchCommand.class})
public final class PagodaCli implements Runnable {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, shared by {@link #main} and tests. */
    public static CommandLine commandLine() {
        return commandLine(CommandLine.defaultFactory());
    }

    /** The command line with subcommands made by {@code factory} (tests hand benchmarks a fake engine). */
    public static CommandLine commandLine(CommandLine.IFactory factory) {
        CommandLine cli = new CommandLine(new PagodaCli(), factory);
        // A user error is one line, not a stack trace.
        cli.setExecutionExceptionHandler((ex, line, parsed) -> {
            line.getErr().println("pagoda: " + ex.getMessage());
            return 2;
        });
        return cli;
    }

    @Override
    public void run() {
        // No GUI yet (it arrives with app-gui): show what there is.
        CommandLine.usage(this, System.out);
    }

    public static String version() {
        try (InputStream in = PagodaCli.class.getResourceAsStream("/dev/pagoda/webapi/version.properties")) {
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"pagoda " + version(), "Java " + Runtime.version()};
        }
    }
}
