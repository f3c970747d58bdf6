package dev.pagoda.webapi.openai;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.pagoda.catalog.chat.ChatTemplate;
import dev.pagoda.engine.api.InferenceEngine;
import dev.pagoda.engine.api.ModelInfo;
import dev.pagoda.webapi.metrics.VllmMetrics;
import dev.pagoda.webapi.openai.tools.ToolParsing;
import dev.pagoda.webapi.openai.tools.ToolRequest;
import dev.pagoda.webapi.server.ApiException;
import dev.pagoda.webapi.server.JsonBody;
import dev.pagoda.webapi.server.TokenizerGate;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The OpenAI routes ({@code /v1/models}, {@code /v1/models/{id}}, {@code /v1/completions}, {@code /v1/chat/completions}) and
 * vLLM's {@code /tokenize} and {@code /detokenize}. Handlers run on virtual threads and only submit
 * to the engine and read its streams.
 */
public final class OpenAiService implements HttpService {

    private final ApiContext api;
    private final ServedModel model;
    private final CompletionsHandler completions;
    private final ChatCompletionsHandler chat;

    /**
     * @param tokenizers   bounds every text these routes tokenize (length, concurrency)
     * @param chatTemplate replaces the model's own templates when present ({@code --chat-template})
     * @param toolParsing  how tool calls and reasoning are read from chat output
     */
    public OpenAiService(InferenceEngine engine, VllmMetrics metrics, JsonBody body, TokenizerGate tokenizers,
            Optional<ChatTemplate> chatTemplate, ToolParsing toolParsing) {
        this.model = ServedModel.of(engine, chatTemplate, tokenizers);
        this.api = new ApiContext(model, body, metrics, toolParsing);
        this.completions = new CompletionsHandler(api);
        this.chat = new ChatCompletionsHandler(api);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/v1/models", this::models)
                .get("/v1/models/{+id}", this::modelById)
                .post("/v1/completions", completions)
                .post("/v1/chat/completions", chat)
                .post("/tokenize", this::tokenize)
                .post("/detokenize", this::detokenize);
    }

    record ModelCard(String id, String object, long created, @JsonProperty("owned_by") String ownedBy, String root,
            String parent, @JsonProperty("max_model_len") int maxModelLen) {}

    record ModelList(String object, List<ModelCard> data) {}

    private void models(ServerRequest req, ServerResponse res) {
        // one card per --served-model-name, as vLLM lists them
        res.send(new ModelList("list", model.info().servedNames().stream().map(this::card).toList()));
    }

    /** OpenAI's {@code GET /v1/models/{model}}: the card of any served name, or a 404 in OpenAI's shape. */
    private void modelById(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        if (!model.info().servedNames().contains(id)) throw ApiException.modelNotFound(id);
        res.send(card(id));
    }

    private ModelCard card(String name) {
        ModelInfo info = model.info();
        return new ModelCard(name, "model", model.createdAt(), "pagoda", info.source(), null, info.maxModelLen());
    }

    /** @param tokenStrs each token's vocabulary piece when {@code return_token_strs} is set, else null */
    record TokenizeResponse(int count, @JsonProperty("max_model_len") int maxModelLen, List<Integer> tokens,
            @JsonProperty("token_strs") List<String> tokenStrs) {}

    /** vLLM's /tokenize: a {@code prompt} (special tokens added by default) or chat {@code messages} (not). */
    private void tokenize(ServerRequest req, ServerResponse res) {
        Fields f = api.fields(req);
        int[] ids;
        if (f.has("messages")) {
            ids = ChatPrompt.read(f, model, false, ToolRequest.read(f::node)).ids();
        } else {
            String prompt = f.string("prompt").orElseThrow(() -> ApiException.missing("prompt"));
            ids = model.tokenizer("prompt").encode(prompt, f.bool("add_special_tokens").orElse(true));
        }
        List<String> pieces = f.bool("return_token_strs").orElse(false)
                ? Arrays.stream(ids).mapToObj(id -> model.tokenizer("prompt").tokenPiece(id)).toList() : null;
        res.send(new TokenizeResponse(ids.length, model.info().maxModelLen(), Arrays.stream(ids).boxed().toList(), pieces));
    }

    record DetokenizeResponse(String prompt) {}

    private void detokenize(ServerRequest req, ServerResponse res) {
        Fields f = api.fields(req);
        if (!f.has("tokens")) throw ApiException.missing("tokens");
        List<Integer> tokens = f.integers("tokens");
        int vocab = model.info().spec().vocabSize();
        for (int id : tokens) {
            if (id < 0 || id >= vocab) throw ApiException.invalidValue("tokens", "Token id " + id + " is out of vocabulary (size " + vocab + ").");
        }
        int[] ids = tokens.stream().mapToInt(Integer::intValue).toArray();
        res.send(new DetokenizeResponse(model.tokenizer("tokens").decode(ids, false)));
    }
}
