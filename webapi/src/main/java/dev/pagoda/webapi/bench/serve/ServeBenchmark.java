package dev.pagoda.webapi.bench.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One {@code bench serve} run: prompts prepared first (not timed), then each request sent at its
 * Poisson arrival time on its own virtual thread, waiting for a slot when a concurrency cap is set
 * (the cap holds requests back after they arrive, as vLLM's semaphore does), then all awaited.
 */
public final class ServeBenchmark {

    /** What a run gives back: per-request results in prompt order, the metrics, and the highest number in flight. */
    public record Run(String model, List<RequestResult> results, BenchmarkMetrics metrics, int peakInFlight) {}

    private final BenchSettings settings;
    private final ServerClient server;

    public ServeBenchmark(BenchSettings settings) {
        this.settings = settings;
        this.server = new ServerClient(settings.target().baseUrl(), settings.target().apiKey());
    }

    /** Prepares the prompts, checks with one request that the server answers them, then runs the benchmark. */
    public Run run(PrintWriter log) throws InterruptedException {
        String model = settings.target().model().orElseGet(server::firstModel);
        BenchSettings.Workload load = settings.workload();
        Endpoint endpoint = settings.target().endpoint();
        server.maxModelLen(model).ifPresent(max -> {
            if (load.inputLen() + load.outputLen() > max) {
                throw new IllegalArgumentException("--input-len " + load.inputLen() + " + --output-len " + load.outputLen()
                        + " exceeds the model's context of " + max + " tokens");
            }
        });
        List<BenchPrompt> prompts = endpoint == Endpoint.CHAT
                ? RandomPrompts.chatTexts(server, model, load.numPrompts(), load.inputLen(), load.seed())
                : RandomPrompts.tokenIds(server, load.numPrompts(), load.inputLen(), load.seed());
        initialTestRun(model, prompts.getFirst(), log);
        double[] offsets = ArrivalSchedule.offsets(load.numPrompts(), settings.traffic().requestRate(), load.seed());
        Semaphore slots = new Semaphore(settings.traffic().maxConcurrency().orElse(Integer.MAX_VALUE));
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();

        List<Future<RequestResult>> futures = new ArrayList<>();
        long start = System.nanoTime();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < prompts.size(); i++) {
                long wait = start + (long) (offsets[i] * 1e9) - System.nanoTime();
                if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
                JsonNode body = body(model, prompts.get(i));
                int planned = prompts.get(i).tokens();
                futures.add(clients.submit(() -> {
                    slots.acquire();
                    try {
                        peak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                        return server.stream(endpoint, body, planned);
                    } finally {
                        inFlight.decrementAndGet();
                        slots.release();
                    }
                }));
            }
        } // closing waits for every client
        double duration = (System.nanoTime() - start) / 1e9;
        List<RequestResult> results = new ArrayList<>(futures.size());
        for (Future<RequestResult> f : futures) {
            try {
                results.add(f.get());
            } catch (ExecutionException e) {
                results.add(RequestResult.failed(0, 0, "client failed: " + e.getCause()));
            }
        }
        return new Run(model, results, BenchmarkMetrics.of(results, duration), peak.get());
    }

    /**
     * As vLLM does before timing: one request, so a misconfigured run stops with the server's answer
     * instead of N identical failures, and the server's first-request costs stay out of the numbers.
     */
    private void initialTestRun(String model, BenchPrompt prompt, PrintWriter log) {
        log.println("Starting initial single prompt test run...");
        log.flush();
        RequestResult test = server.stream(settings.target().endpoint(), body(model, prompt), prompt.tokens());
        if (!test.success()) {
            throw new IllegalStateException("Initial test run failed - please make sure the benchmark arguments are correct. Error: "
                    + test.error());
        }
        log.println("Initial test run completed. Starting main benchmark run...");
        log.flush();
    }

    /** vLLM's request for its random dataset: fixed output length (ignore_eos), greedy, streamed with usage. */
    JsonNode body(String model, BenchPrompt prompt) {
        ObjectNode body;
        if (settings.target().endpoint() == Endpoint.CHAT) {
            body = (ObjectNode) RandomPrompts.chatBody(model, prompt.text());
            body.put("max_completion_tokens", settings.workload().outputLen());
        } else {
            body = ServerClient.JSON.createObjectNode().put("model", model);
            var ids = body.putArray("prompt");
            for (int id : prompt.ids()) ids.add(id);
            body.put("max_tokens", settings.workload().outputLen());
        }
        body.put("temperature", 0.0).put("ignore_eos", true).put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        return body;
    }
}
