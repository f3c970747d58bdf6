package dev.pagoda.webapi.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pagoda models}: lists the models found in folders, the HF hub cache and .gguf files. */
@Command(name = "models", mixinStandardHelpOptions = true, description = "List local models.")
final class ModelsCommand implements Callable<Integer> {

    @Option(names = "--dir", description = "Folder to scan (repeatable). Default: the HF hub cache and ~/models.")
    List<Path> dirs;

    @Override
    public Integer call() {
        throw new UnsupportedOperationException("models listing lands with catalog discovery");
    }
}
