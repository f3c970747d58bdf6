package dev.pagoda.engine.core;

import dev.pagoda.engine.api.GenerationRequest;
import dev.pagoda.engine.api.InvalidRequestException;
import dev.pagoda.engine.sample.SamplingParams;
import dev.pagoda.engine.sched.QueueFullException;
import dev.pagoda.engine.sched.SchedulerConfig;
import dev.pagoda.engine.structured.StructuredOutputCompiler;

/**
 * The checks {@code submit} makes in the caller's thread, so a bad request is refused with a
 * client-facing message (HTTP 400) before it reaches the engine loop. Fills in what the request
 * left open: {@code max_tokens} null means the rest of the context. A structured-output
 * constraint is compiled here (into the compiler's cache, where the runner finds it), so a
 * schema or grammar that cannot be compiled fails its request alone, naming the field.
 */
final class RequestValidator {

    private final int vocabSize;
    private final SchedulerConfig limits;
    private final boolean hasTokenizer;
    private final StructuredOutputCompiler structured;

    RequestValidator(int vocabSize, SchedulerConfig limits, boolean hasTokenizer, StructuredOutputCompiler structured) {
        this.vocabSize = vocabSize;
        this.limits = limits;
        this.hasTokenizer = hasTokenizer;
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
        if (prompt.length >= maxModelLen) {
            throw new InvalidRequestException("prompt", "the prompt has " + prompt.length + " tokens but the model's maximum context length is "
                    + maxModelLen + " (prompt plus at least one generated token)");
        }
        for (int i = 0; i < prompt.length; i++) {
            if (prompt[i] < 0 || prompt[i] >= vocabSize) {
                throw new InvalidRequestException("prompt", "prompt token " + i + " has id " + prompt[i]
                        + ", outside the vocabulary [0, " + vocabSize + ")");
            }
        }
        SamplingParams params = request.params().validate().validateForVocab(vocabSize);
        if (!hasTokenizer && !params.stop().isEmpty()) {
            throw new InvalidRequestException("stop", "stop strings need a tokenizer and this model has none; use stop_token_ids");
        }
        if (params.structuredOutput() != null) structured.compile(params.structuredOutput());
        if (params.n() > limits.maxNumSeqs()) {
            throw new InvalidRequestException("n", "n = " + params.n() + " exceeds --max-num-seqs " + limits.maxNumSeqs());
        }
        int room = maxModelLen - prompt.length;
        if (params.maxTokens() == null) {
            params = params.toBuilder().maxTokens(room).build();
        }
        long longest = Math.min(maxModelLen, (long) prompt.length + params.maxTokens());
        long blocks = Math.ceilDiv(longest - 1, limits.blockSize()); // the last sampled token is never computed
        if (blocks > limits.numBlocks()) {
            throw new InvalidRequestException("max_tokens", "up to " + longest + " tokens need " + blocks
                    + " KV blocks but the cache has " + limits.numBlocks() + "; lower max_tokens");
        }
        return new GenerationRequest(id, prompt, params, request.priority());
    }

    /** @throws QueueFullException when {@code queued} requests already wait */
    void checkQueue(String requestId, int queued) {
        if (queued >= limits.maxWaitingRequests()) throw new QueueFullException(requestId, limits.maxWaitingRequests());
    }
}
