package dev.pagoda.webapi.metrics;

import dev.pagoda.engine.api.EngineState;
import dev.pagoda.engine.api.EngineTotals;
import dev.pagoda.engine.api.InferenceEngine;
import dev.pagoda.engine.api.ModelInfo;
import dev.pagoda.engine.api.RequestTimings;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.ToDoubleFunction;

/**
 * vLLM's Prometheus metrics, same names and labels, so existing dashboards work. Gauges and counters
 * are read from {@link InferenceEngine#state()} at scrape time (the engine owns the counts; nothing
 * here can drift from it); latency histograms are fed by the HTTP layer as streams finish, from the
 * engine's {@link RequestTimings} and the gaps between streamed tokens. Each server has its own
 * registry, never Prometheus' global default one.
 */
public final class VllmMetrics {

    /** vLLM's buckets (vllm/v1/metrics/loggers.py), in seconds. */
    private static final double[] TTFT_BUCKETS = {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75,
            1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0};
    private static final double[] ITL_BUCKETS = {0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75,
            1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0};
    private static final double[] REQUEST_BUCKETS = {0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0,
            30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0};

    private static final String MODEL = "model_name";

    private final InferenceEngine engine;
    private final String modelName;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Histogram timeToFirstToken;
    private final Histogram interTokenLatency;
    private final Histogram endToEnd;
    private final Histogram queueTime;

    public VllmMetrics(InferenceEngine engine) {
        this.engine = engine;
        ModelInfo model = engine.model();
        this.modelName = model.servedName();

        gauge("vllm:num_requests_running", "Number of requests in model execution batches.",
                s -> s.queues().running());
        gauge("vllm:num_requests_waiting", "Number of requests waiting to be processed.",
                s -> s.queues().waiting());
        // From the snapshot rather than the last step: it is what the blocks hold now.
        gauge("vllm:kv_cache_usage_perc", "KV-cache usage. 1 means 100 percent usage.",
                s -> s.kvSnapshot() == null ? 0 : s.kvSnapshot().usage());
        counter("vllm:prefix_cache_queries", "Prefix cache queries, in terms of number of queried tokens.",
                EngineTotals::prefixCacheQueries);
        counter("vllm:prefix_cache_hits", "Prefix cache hits, in terms of number of cached tokens.",
                EngineTotals::prefixCacheHits);
        counter("vllm:num_preemptions", "Cumulative number of preemption from the engine.", EngineTotals::preemptions);
        counter("vllm:prompt_tokens", "Number of prefill tokens processed.", EngineTotals::promptTokens);
        counter("vllm:generation_tokens", "Number of generation tokens processed.", EngineTotals::generationTokens);
        registry.register(CounterWithCallback.builder()
                .name("vllm:request_success")
                .help("Count of successfully processed requests.")
                .labelNames(MODEL, "finished_reason")
                .callback(cb -> {
                    EngineTotals t = engine.state().totals();
                    cb.call(t.finishedStop(), modelName, "stop");
                    cb.call(t.finishedLength(), modelName, "length");
                    cb.call(t.finishedAbort(), modelName, "abort");
                    cb.call(t.finishedError(), modelName, "error");
                })
                .build());
        ModelInfo.CacheInfo cache = model.cache();
        registry.register(GaugeWithCallback.builder()
                .name("vllm:cache_config_info")
                .help("Information of the LLMEngine CacheConfig")
                .labelNames("block_size", "num_gpu_blocks", "cache_dtype", "device")
                .callback(cb -> cb.call(1, Integer.toString(cache.blockSize()), Integer.toString(cache.numBlocks()),
                        "auto", model.device()))
                .build());

        timeToFirstToken = histogram("vllm:time_to_first_token_seconds", "Histogram of time to first token in seconds.", TTFT_BUCKETS);
        interTokenLatency = histogram("vllm:inter_token_latency_seconds", "Histogram of inter-token latency in seconds.", ITL_BUCKETS);
        endToEnd = histogram("vllm:e2e_request_latency_seconds", "Histogram of e2e request latency in seconds.", REQUEST_BUCKETS);
        queueTime = histogram("vllm:request_queue_time_seconds", "Histogram of time spent in WAITING phase for request.", REQUEST_BUCKETS);
    }

    private void gauge(String name, String help, ToDoubleFunction<EngineState> read) {
        registry.register(GaugeWithCallback.builder().name(name).help(help).labelNames(MODEL)
                .callback(cb -> cb.call(read.applyAsDouble(engine.state()), modelName)).build());
    }

    private void counter(String name, String help, ToDoubleFunction<EngineTotals> read) {
        registry.register(CounterWithCallback.builder().name(name).help(help).labelNames(MODEL)
                .callback(cb -> cb.call(read.applyAsDouble(engine.state().totals()), modelName)).build());
    }

    private Histogram histogram(String name, String help, double[] buckets) {
        Histogram h = Histogram.builder().name(name).help(help).labelNames(MODEL)
                .classicOnly().classicUpperBounds(buckets).build();
        registry.register(h);
        return h;
    }

    /** Adds a collector of the HTTP layer's own (client faults, connections) to this server's registry. */
    public void register(Collector collector) {
        registry.register(collector);
    }

    /** A new request's latency recorder; the HTTP layer tells it about each token batch and the end. */
    public RequestLatencies newRequest() {
        return new RequestLatencies(this);
    }

    void observeInterToken(double seconds) {
        interTokenLatency.labelValues(modelName).observe(seconds);
    }

    void observeFinished(RequestTimings t) {
        observeIfKnown(timeToFirstToken, t.timeToFirstTokenSeconds());
        observeIfKnown(endToEnd, t.endToEndSeconds());
        observeIfKnown(queueTime, t.queueSeconds());
    }

    private void observeIfKnown(Histogram h, double seconds) {
        if (!Double.isNaN(seconds)) h.labelValues(modelName).observe(seconds);
    }

    /** The Prometheus text exposition format (version 0.0.4). */
    public byte[] scrape() {
        var out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }
}
