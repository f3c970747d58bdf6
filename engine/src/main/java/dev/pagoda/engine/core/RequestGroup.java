package dev.pagoda.engine.core;

import dev.pagoda.catalog.tokenizer.IncrementalDetokenizer;
import dev.pagoda.catalog.tokenizer.Tokenizer;
import dev.pagoda.engine.api.RequestTimings;
import dev.pagoda.engine.api.Usage;
import dev.pagoda.engine.api.FinishReason;
import dev.pagoda.engine.api.TokenLogprobs;
import java.util.List;
import dev.pagoda.engine.sample.SamplingParams;
import dev.pagoda.engine.sample.StopStringMatcher;

/**
 * The engine thread's record of one submitted request and its n samples: where each sample's
 * text stands (detokenizer, stop-string matcher), how each ended, and the counts and times the
 * final event reports. Owned by the engine thread.
 */
final class RequestGroup {

    /** One sample's text state and end. */
    static final class Sample {
        final IncrementalDetokenizer detokenizer; // null without a tokenizer
        final StopStringMatcher stops;
        final boolean stopTokenInText; // include_stop_str_in_output: the EOS / stop token id that ends it is text too
        FinishReason finish;
        Object stopReason;

        Sample(Tokenizer tokenizer, SamplingParams params) {
            this.detokenizer = tokenizer == null ? null : tokenizer.newDetokenizer(params.skipSpecialTokens());
            this.stops = StopStringMatcher.of(params);
            this.stopTokenInText = params.includeStopStrInOutput();
        }

        boolean finished() {
            return finish != null;
        }
    }

    final String id;
    final LocalRequestStream stream;
    final int promptTokens;
    final long arrivedNanos;
    final Sample[] samples;
    long firstScheduledNanos = -1;
    long firstTokenNanos = -1;
    int completionTokens;
    int cachedTokens;
    String error;
    List<TokenLogprobs> pendingPromptLogprobs = List.of(); // scored, to go out with the next event
    boolean promptLogprobsSent;

    RequestGroup(String id, LocalRequestStream stream, SamplingParams params, int promptTokens, long arrivedNanos,
                 Tokenizer tokenizer) {
        this.id = id;
        this.stream = stream;
        this.promptTokens = promptTokens;
        this.arrivedNanos = arrivedNanos;
        this.samples = new Sample[params.n()];
        for (int i = 0; i < samples.length; i++) samples[i] = new Sample(tokenizer, params);
    }

    boolean allFinished() {
        for (Sample s : samples) if (!s.finished()) return false;
        return true;
    }

    /** What the totals count this request as: an error if any sample failed, else the first sample's end. */
    FinishReason overallReason() {
        return error != null ? FinishReason.ERROR : samples[0].finish;
    }

    Usage usage() {
        return new Usage(promptTokens, completionTokens, cachedTokens);
    }

    RequestTimings timings(long finishedNanos) {
        return new RequestTimings(arrivedNanos, firstScheduledNanos, firstTokenNanos, finishedNanos);
    }
}
