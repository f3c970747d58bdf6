package dev.pagoda.webapi.bench.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pagoda bench serve}: load a running OpenAI-compatible server as {@code vllm bench serve}
 * does with its random dataset, and print vLLM's result block. Registered under {@code bench} by
 * the CLI; runs alone too: {@code new CommandLine(new BenchServeCommand()).execute(args)}.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Benchmark a running server: Poisson arrivals of random prompts, streamed (like vllm bench serve).")
public final class BenchServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--base-url", required = true, description = "Server to load, e.g. http://localhost:8000.")
    String baseUrl;

    @Option(names = "--endpoint", defaultValue = "/v1/completions",
            description = "/v1/completions (token-id prompts, exact lengths) or /v1/chat/completions. Default: ${DEFAULT-VALUE}.")
    String endpoint;

    @Option(names = "--model", description = "Served model name. Default: the first /v1/models lists.")
    String model;

    @Option(names = "--request-rate", defaultValue = "inf", description = "Requests per second (Poisson arrivals), or inf for all at once. Default: ${DEFAULT-VALUE}.")
    String requestRate;

    @Option(names = "--num-prompts", defaultValue = "1000", description = "Requests to send. Default: ${DEFAULT-VALUE}.")
    int numPrompts;

    @Option(names = {"--input-len", "--random-input-len"}, defaultValue = "1024", description = "Prompt tokens per request. Default: ${DEFAULT-VALUE}.")
    int inputLen;

    @Option(names = {"--output-len", "--random-output-len"}, defaultValue = "128", description = "Generated tokens per request (ignore_eos). Default: ${DEFAULT-VALUE}.")
    int outputLen;

    @Option(names = "--max-concurrency", description = "Most requests in flight at once. Default: no cap.")
    Integer maxConcurrency;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the prompts and arrival times. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--api-key", description = "Sent as 'Authorization: Bearer KEY'. Also read from OPENAI_API_KEY.")
    String apiKey;

    @Option(names = "--output-json", description = "Also write the results (vLLM's result JSON keys) to this file.")
    Path outputJson;

    @Override
    public Integer call() throws InterruptedException, IOException {
        PrintWriter out = spec.commandLine().getOut();
        BenchSettings settings = settings();
        BenchSettings.Traffic traffic = settings.traffic();
        out.printf(Locale.ROOT, "Traffic request rate: %s%n", traffic.unlimitedRate() ? "inf" : traffic.requestRate());
        out.printf(Locale.ROOT, "Maximum request concurrency: %s%n", traffic.maxConcurrency().map(String::valueOf).orElse("None"));
        out.flush();
        ServeBenchmark.Run run;
        try {
            run = new ServeBenchmark(settings).run(out);
        } catch (IllegalStateException | IllegalArgumentException e) {
            spec.commandLine().getErr().println("bench serve: " + e.getMessage());
            return 1;
        }
        ResultReport.print(settings, run, out);
        if (outputJson != null) {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(outputJson.toFile(), ResultReport.json(settings, run));
        }
        return run.metrics().failed() == 0 ? 0 : 1;
    }

    /** The options checked together; a bad one is a picocli parameter error naming it. */
    BenchSettings settings() {
        try {
            String key = apiKey != null ? apiKey : System.getenv("OPENAI_API_KEY");
            return new BenchSettings(
                    new BenchSettings.Target(parseUrl(baseUrl), Endpoint.ofPath(endpoint), Optional.ofNullable(model), Optional.ofNullable(key)),
                    new BenchSettings.Workload(numPrompts, inputLen, outputLen, seed),
                    new BenchSettings.Traffic(BenchSettings.Traffic.parseRate(requestRate), Optional.ofNullable(maxConcurrency)));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    private static URI parseUrl(String text) {
        try {
            return new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--base-url is not a URL: " + e.getMessage());
        }
    }
}
