package dev.pagoda.webapi.cli;

import dev.pagoda.catalog.hub.HubCache;
import dev.pagoda.catalog.hub.HubClient;
import dev.pagoda.catalog.hub.HubRef;
import dev.pagoda.catalog.hub.HubSettings;
import dev.pagoda.catalog.hub.SnapshotDownloader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code pagoda pull ORG/NAME[@REV]}: downloads a model from the Hugging Face hub into the local
 * hub cache, exactly where and how huggingface_hub would ({@link SnapshotDownloader}), so
 * {@code pagoda serve ORG/NAME}, vLLM and transformers all find it there. Reads HF_ENDPOINT,
 * HF_TOKEN (or the token {@code huggingface-cli login} saved), HF_HUB_OFFLINE, HF_HUB_CACHE and
 * HF_HOME. Run again after an interruption, it resumes.
 */
@Command(name = "pull", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Download a model from the Hugging Face hub into the local hub cache (resumable, checksums verified).")
final class PullCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "ORG/NAME[@REV]",
            description = "The repo, e.g. Qwen/Qwen2.5-0.5B-Instruct; @REV for a branch, tag or commit; ORG/NAME/FILE for one "
                    + ".gguf of several.")
    String model;

    @Option(names = "--revision", paramLabel = "REV", description = "Branch, tag or commit. Default: main.")
    String revision;

    @Option(names = "--include", paramLabel = "GLOB",
            description = "Fetch the files matching GLOB (repeatable; * crosses folders, as huggingface-cli's --include) instead "
                    + "of the default weights (the top-level *.safetensors, or the repo's one .gguf). config.json, "
                    + "generation_config.json and the tokenizer files always come along.")
    List<String> include = List.of();

    @Option(names = {"--cache-dir", "--download-dir"}, paramLabel = "DIR",
            description = "The hub cache to fill. Default: huggingface_hub's ($HF_HUB_CACHE, $HF_HOME/hub, ~/.cache/huggingface/hub).")
    Path cacheDir;

    @Spec
    CommandSpec spec;

    private final Map<String, String> env;

    PullCommand() {
        this(System.getenv());
    }

    /** @param env the environment variables to read (tests pass their own) */
    PullCommand(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public Integer call() {
        HubRef ref = HubRef.parse(model).orElseThrow(() -> new IllegalArgumentException("'" + model
                + "' is not a Hugging Face repo id (ORG/NAME, optionally @REVISION)")).withRevision(revision);
        Path home = Path.of(System.getProperty("user.home"));
        HubSettings settings = HubSettings.fromEnvironment(env, home);
        HubCache cache = HubCache.at(cacheDir != null ? cacheDir : HubCache.defaultLocation(env, home));
        String userAgent = "pagoda/" + PagodaCli.version() + "; java/" + Runtime.version().feature();
        HubClient client = new HubClient(settings, userAgent, Duration.ofSeconds(10));
        PrintWriter out = spec.commandLine().getOut();
        out.println("Pulling " + ref + " from " + settings.endpoint() + " into " + cache.root());
        out.flush();
        SnapshotDownloader.Result r = new SnapshotDownloader(client, cache, Duration.ofSeconds(1))
                .pull(ref, include, PullProgress.forOutput(out));
        out.println("Pulled " + r.repo() + " at " + r.commit() + ": " + r.files() + " files, " + PullProgress.human(r.bytes())
                + " (" + PullProgress.human(r.downloadedBytes()) + " downloaded) in " + r.snapshot());
        out.println("Serve it: pagoda serve " + ref + (cacheDir == null ? "" : " --download-dir " + cacheDir));
        out.flush();
        return 0;
    }
}
