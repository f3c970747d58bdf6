package dev.pagoda.webapi.bench.serve;

import java.net.URI;
import java.util.Optional;

/**
 * One benchmark run, validated.
 *
 * @param requestRate    requests per second of the Poisson arrivals; {@code Double.POSITIVE_INFINITY} sends all at once
 * @param maxConcurrency most requests in flight at once, empty for no cap
 * @param model          the served model name, empty for the first one {@code /v1/models} lists
 */
public record BenchSettings(URI baseUrl, Endpoint endpoint, Optional<String> model, double requestRate, int numPrompts,
        int inputLen, int outputLen, Optional<Integer> maxConcurrency, long seed, Optional<String> apiKey) {

    public BenchSettings {
        if (!(requestRate > 0)) throw new IllegalArgumentException("--request-rate must be > 0 or inf, got " + requestRate);
        if (numPrompts < 1) throw new IllegalArgumentException("--num-prompts must be at least 1, got " + numPrompts);
        if (inputLen < 1) throw new IllegalArgumentException("--input-len must be at least 1, got " + inputLen);
        if (outputLen < 1) throw new IllegalArgumentException("--output-len must be at least 1, got " + outputLen);
        maxConcurrency.ifPresent(c -> {
            if (c < 1) throw new IllegalArgumentException("--max-concurrency must be at least 1, got " + c);
        });
        String scheme = baseUrl.getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme) || baseUrl.getHost() == null) {
            throw new IllegalArgumentException("--base-url must be an http(s) URL such as http://localhost:8000, got '" + baseUrl + "'");
        }
    }

    /** vLLM's spelling: a number, or {@code inf} for everything at once. */
    public static double parseRate(String text) {
        if (text.equalsIgnoreCase("inf")) return Double.POSITIVE_INFINITY;
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--request-rate must be a number or inf, got '" + text + "'");
        }
    }
}
