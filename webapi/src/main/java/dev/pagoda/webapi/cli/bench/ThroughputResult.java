package dev.pagoda.webapi.cli.bench;

/**
 * {@code pagoda bench throughput}'s numbers; the first five keys are those of vLLM's
 * {@code benchmark_throughput.py --output-json}.
 */
record ThroughputResult(
        double elapsedTime,
        int numRequests,
        long totalNumTokens,
        double requestsPerSecond,
        double tokensPerSecond,
        double outputTokensPerSecond,
        long totalPromptTokens,
        long totalOutputTokens,
        StepTimes steps) {

    static ThroughputResult of(int requests, BatchOutcome outcome) {
        double s = outcome.elapsedSeconds();
        long total = outcome.promptTokens() + outcome.outputTokens();
        return new ThroughputResult(s, requests, total, requests / s, total / s, outcome.outputTokens() / s,
                outcome.promptTokens(), outcome.outputTokens(), StepTimes.of(outcome.steps()));
    }
}
