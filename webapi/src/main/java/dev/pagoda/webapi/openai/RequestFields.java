package dev.pagoda.webapi.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pagoda.webapi.server.ApiException;
import dev.pagoda.webapi.server.OpenAiError;
import java.lang.System.Logger.Level;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Every request field of OpenAI's and vLLM's chat and completions APIs that Pagoda knows, and what
 * it does with each — the one list, mirrored in {@code docs/openai-fields.md} (a test keeps the two
 * equal):
 * <ul>
 *   <li>{@link Handling#HONOURED}: read and acted on;</li>
 *   <li>{@link Handling#IGNORED}: bookkeeping that cannot change the answer ({@code user},
 *       {@code metadata}, {@code store}...); dropped with a debug log line;</li>
 *   <li>{@link Handling#REFUSED}: would change the answer and Pagoda cannot do it; a 400 naming
 *       the field, unless the value is the field's default (clients send {@code use_beam_search:
 *       false} or {@code modalities: ["text"]} routinely, and those ask for nothing).</li>
 * </ul>
 * A field in none of these is unknown: ignored with a debug log line, as OpenAI's SDKs add new
 * bookkeeping fields faster than any server can list them.
 */
final class RequestFields {

    private static final System.Logger LOG = System.getLogger(RequestFields.class.getName());

    enum Route { CHAT, COMPLETIONS }

    enum Handling { HONOURED, IGNORED, REFUSED }

    /**
     * @param routes    where the field exists
     * @param harmless  for a refused field, the values that ask for nothing (its default); else null
     * @param allowed   the harmless values in words, for the error message and the docs
     * @param reason    why Pagoda refuses it (refused) or what it does with it
     */
    record Field(String name, Set<Route> routes, Handling handling, Predicate<JsonNode> harmless, String allowed,
            String reason) {}

    private static final Set<Route> BOTH = EnumSet.allOf(Route.class);
    private static final Set<Route> CHAT = EnumSet.of(Route.CHAT);
    private static final Set<Route> COMPLETIONS = EnumSet.of(Route.COMPLETIONS);

    private static final Predicate<JsonNode> FALSE = n -> n.isBoolean() && !n.booleanValue();
    private static final Predicate<JsonNode> TRUE = n -> n.isBoolean() && n.booleanValue();
    private static final Predicate<JsonNode> ONE = n -> n.isNumber() && n.doubleValue() == 1.0;
    private static final Predicate<JsonNode> EMPTY = n -> (n.isArray() || n.isObject()) && n.isEmpty()
            || n.isTextual() && n.textValue().isEmpty();
    private static final Predicate<JsonNode> TEXT_ONLY = n -> n.isArray() && n.size() == 1 && "text".equals(n.get(0).asText());
    private static final Predicate<JsonNode> AUTO = n -> n.isTextual() && n.textValue().equals("auto");

    /** In the order of docs/openai-fields.md. */
    static final List<Field> ALL = List.of(
            honoured("model", BOTH, "must name the served model (or be left out)"),
            honoured("messages", CHAT, "rendered with the model's chat template"),
            honoured("prompt", COMPLETIONS, "a string, strings, token ids or lists of token ids"),
            honoured("max_tokens", BOTH, "chat: the rest of the context when absent; completions: 16 when absent"),
            honoured("max_completion_tokens", CHAT, "OpenAI's newer name for max_tokens; wins when both are given"),
            honoured("temperature", BOTH, "0 is greedy"),
            honoured("top_p", BOTH, ""),
            honoured("top_k", BOTH, "vLLM"),
            honoured("min_p", BOTH, "vLLM"),
            honoured("presence_penalty", BOTH, ""),
            honoured("frequency_penalty", BOTH, ""),
            honoured("repetition_penalty", BOTH, "vLLM"),
            honoured("seed", BOTH, "same seed, same output whatever else is in the batch"),
            honoured("n", BOTH, "up to 128"),
            honoured("best_of", COMPLETIONS, "best_of >= n candidates, the n with the highest cumulative logprob returned; usage counts all"),
            honoured("stop", BOTH, ""),
            honoured("stop_token_ids", BOTH, "vLLM"),
            honoured("ignore_eos", BOTH, "vLLM"),
            honoured("min_tokens", BOTH, "vLLM"),
            honoured("logit_bias", BOTH, ""),
            honoured("include_stop_str_in_output", BOTH, "vLLM"),
            honoured("skip_special_tokens", BOTH, "vLLM"),
            honoured("logprobs", BOTH, "chat: a boolean; completions: the number of top logprobs (at most --max-logprobs)"),
            honoured("top_logprobs", CHAT, "at most --max-logprobs"),
            honoured("prompt_logprobs", BOTH, "vLLM: logprobs of every prompt token (the first is null); at most --max-logprobs"),
            honoured("echo", COMPLETIONS, "the prompt before the completion; with logprobs, the prompt's token logprobs too"),
            honoured("stream", BOTH, "SSE, whatever the Accept header says"),
            honoured("stream_options", BOTH, "include_usage; continuous_usage_stats is refused"),
            honoured("add_generation_prompt", CHAT, "vLLM, default true"),
            honoured("continue_final_message", CHAT, "vLLM: the last (assistant) message is continued; needs add_generation_prompt false"),
            honoured("add_special_tokens", BOTH, "vLLM: chat default false, completions default true"),
            honoured("chat_template_kwargs", CHAT, "vLLM: extra variables for the chat template"),
            honoured("priority", BOTH, "vLLM: lower runs first; needs --scheduling-policy priority unless 0"),
            honoured("response_format", BOTH, "text, json_object, json_schema"),
            honoured("structured_outputs", BOTH, "vLLM: json, regex, choice, grammar, json_object"),
            honoured("guided_json", BOTH, "vLLM's older name of structured_outputs.json"),
            honoured("guided_regex", BOTH, "vLLM's older name of structured_outputs.regex"),
            honoured("guided_choice", BOTH, "vLLM's older name of structured_outputs.choice"),
            honoured("guided_grammar", BOTH, "vLLM's older name of structured_outputs.grammar"),
            honoured("tools", CHAT, "tool calling"),
            honoured("tool_choice", CHAT, "tool calling"),
            honoured("parallel_tool_calls", CHAT, "tool calling"),
            honoured("return_tokens_as_token_ids", BOTH, "vLLM: logprob tokens as 'token_id:N'"),
            honoured("request_id", BOTH, "vLLM: the response id is built from it"),

            ignored("user", "an end-user id for abuse tracking; a workstation server tracks none"),
            ignored("metadata", "tags for OpenAI's stored completions"),
            ignored("store", "OpenAI's stored completions; nothing is stored here"),
            ignored("service_tier", "OpenAI's processing tiers; there is one here"),
            ignored("safety_identifier", "an end-user id for OpenAI's safety systems"),
            ignored("prompt_cache_key", "OpenAI's prompt-cache routing hint; the prefix cache needs none"),

            refused("audio", CHAT, null, "absent", "no model served here produces audio"),
            refused("modalities", CHAT, TEXT_ONLY, "[\"text\"]", "only text is produced"),
            refused("prediction", CHAT, null, "absent", "predicted outputs (speculative decoding) are not implemented"),
            refused("functions", CHAT, EMPTY, "absent", "the deprecated functions API; use tools"),
            refused("function_call", CHAT, null, "absent", "the deprecated functions API; use tool_choice"),
            refused("web_search_options", CHAT, null, "absent", "there is no web search"),
            refused("reasoning_effort", CHAT, null, "absent", "no served model takes a reasoning effort"),
            refused("verbosity", CHAT, null, "absent", "no served model takes a verbosity"),
            refused("echo", CHAT, FALSE, "false", "echoing the last message is not implemented for chat"),
            refused("best_of", CHAT, ONE, "1", "best_of is a completions field"),
            refused("documents", CHAT, EMPTY, "absent", "retrieval documents for the template are not implemented"),
            refused("chat_template", CHAT, null, "absent", "a per-request template is not accepted; start the server with --chat-template"),
            refused("mm_processor_kwargs", CHAT, EMPTY, "absent", "no multimodal model is served"),
            refused("suffix", COMPLETIONS, EMPTY, "absent", "fill-in-the-middle is not implemented"),
            refused("prompt_embeds", COMPLETIONS, null, "absent", "prompts are token ids, never embeddings"),
            refused("use_beam_search", BOTH, FALSE, "false", "beam search is not implemented"),
            refused("length_penalty", BOTH, ONE, "1.0", "it applies to beam search, which is not implemented"),
            refused("allowed_token_ids", BOTH, null, "absent", "not implemented"),
            refused("bad_words", BOTH, EMPTY, "absent", "not implemented"),
            refused("truncate_prompt_tokens", BOTH, null, "absent", "prompts are never truncated; a prompt too long is a 400"),
            refused("spaces_between_special_tokens", BOTH, TRUE, "true", "special tokens are always detokenized with spaces between them"),
            refused("structural_tag", BOTH, null, "absent", "structural tags are not implemented; use structured_outputs"),
            refused("guided_decoding_backend", BOTH, AUTO, "\"auto\"", "there is one structured-output backend"),
            refused("guided_whitespace_pattern", BOTH, null, "absent", "the JSON grammar's whitespace is fixed"),
            refused("logits_processors", BOTH, EMPTY, "absent", "custom logits processors are not loaded"),
            refused("return_token_ids", BOTH, FALSE, "false", "not implemented; use logprobs"),
            refused("cache_salt", BOTH, null, "absent", "the prefix cache is shared by every request (no per-tenant salt)"),
            refused("kv_transfer_params", BOTH, null, "absent", "disaggregated prefill is not implemented"),
            refused("vllm_xargs", BOTH, EMPTY, "absent", "no extension reads them"));

    private static final Map<String, Field> CHAT_FIELDS = index(Route.CHAT);
    private static final Map<String, Field> COMPLETION_FIELDS = index(Route.COMPLETIONS);

    private RequestFields() {}

    /**
     * Refuses the first field of {@code f} that asks for something not implemented; logs the ones
     * dropped. Called before any field is read, so the 400 names what really stopped the request.
     */
    static void check(Fields f, Route route) {
        Map<String, Field> known = route == Route.CHAT ? CHAT_FIELDS : COMPLETION_FIELDS;
        for (String name : f.names()) {
            JsonNode value = f.node(name).orElse(null);
            if (value == null) continue; // null is "not given", as OpenAI reads it
            Field field = known.get(name);
            if (field == null) {
                LOG.log(Level.DEBUG, () -> "ignoring unknown request field '" + name + "'");
            } else if (field.handling() == Handling.IGNORED) {
                LOG.log(Level.DEBUG, () -> "ignoring request field '" + name + "': " + field.reason());
            } else if (field.handling() == Handling.REFUSED && (field.harmless() == null || !field.harmless().test(value))) {
                throw unsupported(name, "'" + name + "' is not supported by this server: " + field.reason()
                        + " (accepted: " + field.allowed() + ").");
            }
        }
        f.object("stream_options").ifPresent(o -> {
            JsonNode usageStats = o.get("continuous_usage_stats");
            if (usageStats != null && !usageStats.isNull() && !FALSE.test(usageStats)) {
                throw unsupported("stream_options.continuous_usage_stats", "'stream_options.continuous_usage_stats' "
                        + "is not supported by this server: usage comes once, at the end (accepted: false).");
            }
        });
    }

    /** OpenAI's answer to a parameter a model does not take: 400, {@code unsupported_parameter}. */
    static ApiException unsupported(String param, String message) {
        return new ApiException(400, new OpenAiError("Unsupported parameter: " + message, OpenAiError.INVALID_REQUEST,
                param, "unsupported_parameter"));
    }

    private static Map<String, Field> index(Route route) {
        Map<String, Field> out = new LinkedHashMap<>();
        for (Field f : ALL) {
            if (!f.routes().contains(route)) continue;
            if (out.put(f.name(), f) != null) throw new IllegalStateException("field " + f.name() + " listed twice for " + route);
        }
        return out;
    }

    private static Field honoured(String name, Set<Route> routes, String note) {
        return new Field(name, routes, Handling.HONOURED, null, null, note);
    }

    private static Field ignored(String name, String reason) {
        return new Field(name, BOTH, Handling.IGNORED, null, null, reason);
    }

    private static Field refused(String name, Set<Route> routes, Predicate<JsonNode> harmless, String allowed, String reason) {
        return new Field(name, routes, Handling.REFUSED, harmless, allowed, reason);
    }
}
