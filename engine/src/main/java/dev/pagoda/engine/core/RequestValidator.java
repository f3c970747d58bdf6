package dev.pagoda.engine.core;

import dev.pagoda.engine.api.GenerationRequest;
import dev.pagoda.engine.api.InvalidRequestException;
import dev.pagoda.engine.sample.SamplingParams;
import dev.pagoda.engine.api.QueueFullException;
import dev.pagoda.engine.sched.RequestLimits;
import dev.pagoda.engine.sched.SchedulerConfig;
import dev.pagoda.engine.sched.SchedulingPolicy;
import java.util.SplittableRandom;
import dev.pagoda.engine.structured.StructuredOutputCompiler;

/**
 * The checks {@code submit} makes in the caller's thread, so a bad request is refused with a
 * client-facing message (HTTP 400) before it reaches the engine loop. Fills in what the request
 * left open: {@code max_tokens} null means the rest of the context; no {@code seed} means the next
 * draw of the engine's own generator, seeded by {@code --seed} — vLLM's semantics: a fresh engine
 * given the same requests in the same order samples the same tokens, and each request still
 * samples alone whatever shares its batch. A structured-output constraint is compiled here (into
 * the compiler's cache, where the runner finds it), so a schema or grammar that cannot be compiled
 * fails its request alone, naming the field.
 */
final class RequestValidator {

    private final int vocabSize;
    private final SchedulerConfig limits;
    private final RequestLimits requestLimits;
    private final boolean hasTokenizer;
    private final SplittableRandom defaultSeeds; // guarded by itself: submits come from any thread
    private final int maxLogprobs;
    private final StructuredOutputCompiler structured;

    /** @param maxLogprobs --max-logprobs */
    RequestValidator(int vocabSize, SchedulerConfig limits, boolean hasTokenizer, long engineSeed, int maxLogprobs,
                     StructuredOutputCompiler structured) {
        this.vocabSize = vocabSize;
        this.limits = limits;
        this.requestLimits = new RequestLimits(limits);
        this.hasTokenizer = hasTokenizer;
        this.defaultSeeds = new SplittableRandom(engineSeed);
        this.maxLogprobs = maxLogprobs;
        this.structured = structured;
    }

    /** @return the request as the engine runs it (max_tokens resolved) */
    GenerationRequest validate(GenerationRequest request) {
        String id = request.requestId();
        if (id == null || id.isBlank()) throw new InvalidRequestException("request_id", "request id must not be blank");
        if (id.contains("#")) {
            throw new InvalidRequestException("request_id", "request id " + id + " contains '#', which marks the samples of n > 1");
        }
        if (request.params() == null) throw new InvalidRequestException("sampling_params", "request " + id + " has no sampling parameters");
        int[] prompt = request.promptTokenIds();
        if (prompt.length == 0) throw new InvalidRequestException("prompt", "the prompt is empty; at least one token is needed");
        int maxModelLen = limits.maxModelLen();
        requestLimits.checkPrompt(prompt.length).ifPresent(RequestValidator::reject);
        for (int i = 0; i < prompt.length; i++) {
            if (prompt[i] < 0 || prompt[i] >= vocabSize) {
                throw new InvalidRequestException("prompt", "prompt token " + i + " has id " + prompt[i]
                        + ", outside the vocabulary [0, " + vocabSize + ")");
            }
        }
        SamplingParams params = request.params().validate().validateForVocab(vocabSize).validateLogprobLimit(maxLogprobs);
        if (request.priority() != 0 && limits.policy() != SchedulingPolicy.PRIORITY) {
            // vLLM's rule: a priority that would silently do nothing is refused
            throw new InvalidRequestException("priority", "Got priority " + request.priority()
                    + " but priority scheduling is not enabled (start the server with --scheduling-policy priority).");
        }
        if (!hasTokenizer && !params.stop().isEmpty()) {
            throw new InvalidRequestException("stop", "stop strings need a tokenizer and this model has none; use stop_token_ids");
        }
        requestLimits.check(prompt.length, params).ifPresent(RequestValidator::reject);
        if (params.structuredOutput() != null) structured.compile(params.structuredOutput());
        if (params.maxTokens() == null) params = params.toBuilder().maxTokens(maxModelLen - prompt.length).build();
        if (params.seed() == null) params = params.toBuilder().seed(nextDefaultSeed()).build();
        return new GenerationRequest(id, prompt, params, request.priority());
    }

    private static void reject(RequestLimits.Violation v) {
        throw new InvalidRequestException(v.field(), v.message());
    }

    private long nextDefaultSeed() {
        synchronized (defaultSeeds) {
            return defaultSeeds.nextLong();
        }
    }

    /** @throws QueueFullException when {@code queued} requests already wait */
    void checkQueue(String requestId, int queued) {
        if (queued >= limits.maxWaitingRequests()) throw new QueueFullException(requestId, limits.maxWaitingRequests());
    }
}
