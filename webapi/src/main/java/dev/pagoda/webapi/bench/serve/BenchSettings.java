package dev.pagoda.webapi.bench.serve;

import java.net.URI;
import java.util.Optional;

/** One benchmark run, validated: which server, what load, and how fast it arrives. */
public record BenchSettings(Target target, Workload workload, Traffic traffic) {

    /** @param model the served model name, empty for the first one {@code /v1/models} lists */
    public record Target(URI baseUrl, Endpoint endpoint, Optional<String> model, Optional<String> apiKey) {
        public Target {
            String scheme = baseUrl.getScheme();
            if (!"http".equals(scheme) && !"https".equals(scheme) || baseUrl.getHost() == null) {
                throw new IllegalArgumentException("--base-url must be an http(s) URL such as http://localhost:8000, got '" + baseUrl + "'");
            }
        }
    }

    /** vLLM's random dataset: {@code numPrompts} prompts of {@code inputLen} tokens, each answered with {@code outputLen}. */
    public record Workload(int numPrompts, int inputLen, int outputLen, long seed) {
        public Workload {
            if (numPrompts < 1) throw new IllegalArgumentException("--num-prompts must be at least 1, got " + numPrompts);
            if (inputLen < 1) throw new IllegalArgumentException("--input-len must be at least 1, got " + inputLen);
            if (outputLen < 1) throw new IllegalArgumentException("--output-len must be at least 1, got " + outputLen);
        }
    }

    /**
     * @param requestRate    requests per second of the Poisson arrivals; {@code Double.POSITIVE_INFINITY} sends all at once
     * @param maxConcurrency most requests in flight at once, empty for no cap
     */
    public record Traffic(double requestRate, Optional<Integer> maxConcurrency) {
        public Traffic {
            if (!(requestRate > 0)) throw new IllegalArgumentException("--request-rate must be > 0 or inf, got " + requestRate);
            maxConcurrency.ifPresent(c -> {
                if (c < 1) throw new IllegalArgumentException("--max-concurrency must be at least 1, got " + c);
            });
        }

        public boolean unlimitedRate() {
            return Double.isInfinite(requestRate);
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
}
