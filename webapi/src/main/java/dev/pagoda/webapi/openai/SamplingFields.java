package dev.pagoda.webapi.openai;

import dev.pagoda.catalog.config.GenerationDefaults;
import dev.pagoda.engine.sample.SamplingParams;
import dev.pagoda.engine.structured.StructuredOutput;
import dev.pagoda.webapi.server.ApiException;

/**
 * The sampling and streaming fields that chat and completions share, read into vLLM's
 * {@link SamplingParams}. Defaults as vLLM's {@code --generation-config auto}: a field the request
 * leaves out takes the model's {@code generation_config.json} value, else OpenAI's default.
 *
 * @param builder         everything but max_tokens, which needs the prompt's length
 * @param maxTokensParam  which field gave max_tokens (for error messages)
 * @param maxTokens       requested, or null for the route's default
 * @param api             which route: the default max_tokens differs
 * @param stream          SSE instead of one JSON body
 * @param includeUsage    stream_options.include_usage
 * @param structuredOutput the constraint response_format, structured_outputs or guided_* asked for; null for none
 */
record SamplingFields(SamplingParams.Builder builder, String maxTokensParam, Integer maxTokens, Api api, boolean stream,
        boolean includeUsage, StructuredOutput structuredOutput) {

    /** OpenAI's limit on choices per request; also keeps one request from filling the engine. */
    static final int MAX_N = 128;

    /** {@code /v1/completions} without max_tokens generates this many, as OpenAI and vLLM do. */
    static final int COMPLETIONS_DEFAULT_MAX_TOKENS = 16;

    enum Api { CHAT, COMPLETIONS }

    /**
     * A second constraint from another field ({@code tool_choice} forcing a call): one grammar per request, so
     * both together are a 400, never one silently winning.
     */
    void constrainTo(StructuredOutput constraint, String parameter) {
        if (structuredOutput != null) {
            throw ApiException.invalidValue(parameter, "'" + parameter + "' forcing a tool call cannot be combined with '"
                    + structuredOutput.parameter() + "': a request takes one output constraint.");
        }
        builder.structuredOutput(constraint);
    }

    static SamplingFields read(Fields f, Api api, GenerationDefaults defaults) {
        SamplingParams.Builder b = SamplingParams.builder();
        int n = f.integer("n").orElse(1);
        if (n < 1 || n > MAX_N) throw ApiException.invalidValue("n", "n must be in [1, " + MAX_N + "], got " + n + ".");
        if (f.has("prompt_logprobs") && f.bool("stream").orElse(false)) {
            throw ApiException.invalidValue("prompt_logprobs", "`prompt_logprobs` are not available when `stream=True`.");
        }
        b.n(n);
        b.temperature(f.number("temperature").orElse(orElse(defaults.temperature(), 1.0)));
        b.topP(f.number("top_p").orElse(orElse(defaults.topP(), 1.0)));
        b.topK(f.integer("top_k").orElse(defaults.topK() == null ? -1 : defaults.topK()));
        f.number("min_p").ifPresent(b::minP);
        f.number("presence_penalty").ifPresent(b::presencePenalty);
        f.number("frequency_penalty").ifPresent(b::frequencyPenalty);
        b.repetitionPenalty(f.number("repetition_penalty").orElse(orElse(defaults.repetitionPenalty(), 1.0)));
        f.longInteger("seed").ifPresent(b::seed);
        f.integer("min_tokens").ifPresent(b::minTokens);
        b.stop(f.stringOrStrings("stop"));
        b.stopTokenIds(f.integers("stop_token_ids"));
        f.bool("ignore_eos").ifPresent(b::ignoreEos);
        b.logitBias(f.logitBias("logit_bias"));
        f.bool("include_stop_str_in_output").ifPresent(b::includeStopStrInOutput);
        f.bool("skip_special_tokens").ifPresent(b::skipSpecialTokens);
        f.string("user"); // accepted and type-checked; a single-tenant server has no use for it
        b.logprobs(api == Api.CHAT ? chatLogprobs(f) : f.integer("logprobs").orElse(null));
        b.promptLogprobs(f.integer("prompt_logprobs").orElse(null));
        StructuredOutput structured = StructuredOutputFields.read(f);
        b.structuredOutput(structured);

        String maxParam = "max_tokens";
        Integer max = f.integer("max_tokens").orElse(null);
        if (api == Api.CHAT && f.has("max_completion_tokens")) {
            maxParam = "max_completion_tokens"; // OpenAI's newer name wins when both are given
            max = f.integer("max_completion_tokens").orElseThrow();
        }

        boolean stream = f.bool("stream").orElse(false);
        boolean includeUsage = false;
        if (f.has("stream_options")) {
            if (!stream) {
                throw ApiException.invalidValue("stream_options", "The 'stream_options' parameter is only allowed when 'stream' is enabled.");
            }
            includeUsage = new Fields(f.object("stream_options").orElseThrow(), "stream_options.").bool("include_usage").orElse(false);
        }
        return new SamplingFields(b, maxParam, max, api, stream, includeUsage, structured);
    }

    /** Chat asks with {@code logprobs: true} plus {@code top_logprobs: k}; the engine takes k (0 = the sampled token only). */
    private static Integer chatLogprobs(Fields f) {
        boolean logprobs = f.bool("logprobs").orElse(false);
        Integer top = f.integer("top_logprobs").orElse(null);
        if (top != null && !logprobs) {
            throw ApiException.invalidValue("top_logprobs", "top_logprobs requires logprobs to be true.");
        }
        return logprobs ? (top == null ? 0 : top) : null;
    }

    private static double orElse(Double value, double fallback) {
        return value == null ? fallback : value;
    }

    /** The finished parameters for a prompt of {@code promptTokens}; range checks as vLLM's. */
    SamplingParams build(ServedModel model, int promptTokens) {
        if (maxTokens == null) {
            // Defaults never make a request fail: the smallest of the room left, the model's
            // generation_config cap and the route's own default, as vLLM's get_max_tokens takes.
            int cap = model.info().maxModelLen() - promptTokens;
            Integer modelDefault = model.info().generationDefaults().maxNewTokens();
            if (modelDefault != null) cap = Math.min(cap, modelDefault);
            if (api == Api.COMPLETIONS) cap = Math.min(cap, COMPLETIONS_DEFAULT_MAX_TOKENS);
            builder.maxTokens(cap);
        } else {
            builder.maxTokens(model.maxTokens(maxTokensParam, maxTokens, promptTokens));
        }
        SamplingParams p = builder.build();
        return p.validateForVocab(model.info().spec().vocabSize());
    }
}
