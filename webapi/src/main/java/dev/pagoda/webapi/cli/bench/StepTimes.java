package dev.pagoda.webapi.cli.bench;

import dev.pagoda.engine.telemetry.StepStats;
import java.util.List;

/**
 * Engine step durations split by kind, from the engine's own {@link StepStats}. A decode step
 * (no prefill tokens) gives every running sequence one token, so its duration is the time per
 * output token each sequence sees (vLLM's TPOT, without the queueing).
 *
 * @param decodeTokens      decode tokens of all steps (mixed ones too): each is one output token after a request's first
 * @param decodeSteps       steps with decode tokens only
 * @param decodeStepTokens  tokens those steps produced
 * @param meanDecodeStepMs  mean duration of a decode step, NaN when there was none
 * @param p50DecodeStepMs   median duration of a decode step
 * @param p99DecodeStepMs   99th percentile duration of a decode step
 * @param prefillSteps      steps that computed prompt tokens (possibly with decodes mixed in)
 * @param prefillTokens     prompt tokens those steps computed
 * @param meanPrefillStepMs mean duration of such a step, NaN when there was none
 * @param preemptions       requests preempted (their KV freed, to be recomputed) because blocks ran out
 */
record StepTimes(long decodeTokens, int decodeSteps, long decodeStepTokens, double meanDecodeStepMs, double p50DecodeStepMs,
                 double p99DecodeStepMs, int prefillSteps, long prefillTokens, double meanPrefillStepMs,
                 long preemptions) {

    static StepTimes of(List<StepStats> steps) {
        double[] decode = steps.stream().filter(s -> s.prefillTokens() == 0 && s.decodeTokens() > 0)
                .mapToDouble(s -> s.wallTimeNanos() / 1e6).toArray();
        long decodeTokens = steps.stream().mapToLong(StepStats::decodeTokens).sum();
        long decodeStepTokens = steps.stream().filter(s -> s.prefillTokens() == 0).mapToLong(StepStats::decodeTokens).sum();
        double[] prefill = steps.stream().filter(s -> s.prefillTokens() > 0).mapToDouble(s -> s.wallTimeNanos() / 1e6).toArray();
        long prefillTokens = steps.stream().mapToLong(StepStats::prefillTokens).sum();
        return new StepTimes(decodeTokens, decode.length, decodeStepTokens, Percentiles.mean(decode),
                decode.length == 0 ? Double.NaN : Percentiles.of(decode, 50),
                decode.length == 0 ? Double.NaN : Percentiles.of(decode, 99),
                prefill.length, prefillTokens, Percentiles.mean(prefill), steps.stream().mapToLong(StepStats::preemptions).sum());
    }

    /** Decode tokens per second of decode-step time (all sequences together). */
    double decodeTokensPerSecond() {
        return decodeSteps == 0 ? Double.NaN : decodeStepTokens / (meanDecodeStepMs * decodeSteps / 1e3);
    }
}
