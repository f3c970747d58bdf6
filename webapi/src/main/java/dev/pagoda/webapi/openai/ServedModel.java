package dev.pagoda.webapi.openai;

import dev.pagoda.catalog.chat.ChatTemplates;
import dev.pagoda.catalog.tokenizer.Tokenizer;
import dev.pagoda.engine.api.InferenceEngine;
import dev.pagoda.engine.api.ModelInfo;
import dev.pagoda.webapi.server.ApiException;
import dev.pagoda.webapi.server.TokenizerGate;
import dev.pagoda.catalog.chat.ChatTemplate;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The one model this server serves, with the checks every route makes against it: the request's
 * {@code model} names it, the model has what the request needs (a tokenizer for text, a chat
 * template for messages), and the prompt leaves room in the context.
 *
 * @param engine    where requests go
 * @param createdAt the {@code created} time of {@code /v1/models} (server start)
 * @param templates the model's chat templates, or the {@code --chat-template} that replaces them
 * @param gate      bounds what tokenizing a request's text may cost
 */
record ServedModel(InferenceEngine engine, long createdAt, Optional<ChatTemplates> templates, TokenizerGate gate) {

    static ServedModel of(InferenceEngine engine, Optional<ChatTemplate> override, TokenizerGate gate) {
        ModelInfo info = engine.model();
        Optional<ChatTemplates> templates = override.isEmpty() ? info.chatTemplates() : Optional.of(new ChatTemplates(
                Map.of(ChatTemplates.DEFAULT, override.get()), specialText(info, true), specialText(info, false)));
        return new ServedModel(engine, Instant.now().getEpochSecond(), templates, gate);
    }

    /** BOS/EOS text for a replacement template: the model's template config, else the tokenizer's. */
    private static String specialText(ModelInfo info, boolean bos) {
        Optional<String> fromTemplates = info.chatTemplates().map(t -> bos ? t.bosToken() : t.eosToken());
        if (fromTemplates.isPresent()) return fromTemplates.get();
        return info.tokenizer().flatMap(t -> bos ? t.config().bosToken() : t.config().eosToken()).orElse(null);
    }

    ModelInfo info() {
        return engine.model();
    }

    /** The name responses report: the first served name. */
    String name() {
        return info().servedName();
    }

    /**
     * vLLM lets {@code model} be omitted (one model served) and answers to every
     * {@code --served-model-name}; any other name is a 404. Responses report the first name.
     */
    void checkModel(Fields fields) {
        fields.string("model").ifPresent(m -> {
            if (!info().answersTo(m)) throw ApiException.modelNotFound(m);
        });
    }

    /** The model's tokenizer for a request's {@code param}, bounded by the gate. */
    Tokenizer tokenizer(String param) {
        return gate.guard(info().tokenizer().orElseThrow(() -> ApiException.invalidValue(param,
                "The model '" + name() + "' has no tokenizer (dummy weights): send the prompt as token ids.")), param);
    }

    ChatTemplates chatTemplates() {
        return templates.orElseThrow(() -> ApiException.invalidValue("messages",
                "The model '" + name() + "' has no chat template; start the server with --chat-template, "
                        + "or use /v1/completions."));
    }

    /** The prompt must leave room for at least one generated token, as vLLM requires. */
    void checkPromptLength(String param, int promptTokens) {
        int max = info().maxModelLen();
        if (promptTokens >= max) {
            throw ApiException.invalidValue(param, "This model's maximum context length is " + max
                    + " tokens. However, your request has " + promptTokens
                    + " input tokens. Please reduce the length of the input.");
        }
        if (promptTokens == 0) throw ApiException.invalidValue(param, "The prompt is empty.");
    }

    /**
     * max_tokens as vLLM settles it: what the client asked for, or all the room left in the context;
     * asking for more than the room is a 400 naming the numbers.
     */
    int maxTokens(String param, Integer requested, int promptTokens) {
        int room = info().maxModelLen() - promptTokens;
        if (requested == null) return room;
        if (requested < 1) throw ApiException.invalidValue(param, param + " must be at least 1, got " + requested + ".");
        if (requested > room) {
            throw ApiException.invalidValue(param, "'" + param + "' is too large: " + requested
                    + ". This model's maximum context length is " + info().maxModelLen()
                    + " tokens and your request has " + promptTokens + " input tokens (" + requested + " > "
                    + info().maxModelLen() + " - " + promptTokens + ").");
        }
        return requested;
    }
}
