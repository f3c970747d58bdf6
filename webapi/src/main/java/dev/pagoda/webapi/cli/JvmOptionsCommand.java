package dev.pagoda.webapi.cli;

import dev.pagoda.engine.core.EngineConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;
import picocli.CommandLine.Spec;

/**
 * {@code pagoda jvm-options serve ARGS...}: the JVM memory options for a serve command line, one
 * line, for the {@code ./pagoda} launcher (see {@link JvmMemory}). Reads the model's config only;
 * starts nothing. Hidden: it is the launcher's, not a user's.
 */
@Command(name = "jvm-options", hidden = true, description = "JVM memory options for a serve command line (for the launcher).")
final class JvmOptionsCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Unmatched
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() {
        List<String> args = command.isEmpty() || !command.getFirst().equals("serve") ? command : command.subList(1, command.size());
        ServeCommand serve = new ServeCommand(flags -> {
            throw new IllegalStateException("jvm-options starts no engine");
        });
        new CommandLine(serve).parseArgs(args.toArray(String[]::new));
        EngineConfig engine = serve.engineConfig();
        JvmMemory memory = JvmMemory.forServe(engine, serve.serverOptions(), JvmMemory.peek(engine.model(), engine.loadFormat()));
        spec.commandLine().getOut().println(String.join(" ", memory.options()));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
