package dev.pagoda.webapi.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pagoda.webapi.server.ApiException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code prompt} of {@code /v1/completions} in its four OpenAI forms: a string, a list of strings,
 * a list of token ids, a list of token-id lists. Each becomes one engine request.
 *
 * @param text what {@code echo} repeats: the string given, or the ids decoded
 * @param ids  what the engine gets
 */
record PromptInput(String text, int[] ids) {

    static final String PARAM = "prompt";

    static List<PromptInput> read(Fields f, ServedModel model, boolean addSpecialTokens) {
        JsonNode prompt = f.node(PARAM).orElseThrow(() -> ApiException.missing(PARAM));
        List<PromptInput> out = new ArrayList<>();
        if (prompt.isTextual()) {
            out.add(fromText(model, prompt.textValue(), addSpecialTokens));
        } else if (prompt.isArray() && !prompt.isEmpty()) {
            JsonNode first = prompt.get(0);
            if (first.isTextual()) {
                for (JsonNode p : prompt) {
                    if (!p.isTextual()) throw typeError(p);
                    out.add(fromText(model, p.textValue(), addSpecialTokens));
                }
            } else if (first.isArray()) {
                for (JsonNode p : prompt) {
                    if (!p.isArray()) throw typeError(p);
                    out.add(fromIds(model, p));
                }
            } else {
                out.add(fromIds(model, prompt));
            }
        } else if (prompt.isArray()) {
            throw ApiException.invalidValue(PARAM, "The prompt is empty.");
        } else {
            throw typeError(prompt);
        }
        for (PromptInput p : out) model.checkPromptLength(PARAM, p.ids.length);
        return out;
    }

    private static ApiException typeError(JsonNode got) {
        return ApiException.invalidType(PARAM, "a string, an array of strings, an array of token ids or an array of "
                + "token-id arrays", Fields.describe(got));
    }

    private static PromptInput fromText(ServedModel model, String text, boolean addSpecialTokens) {
        return new PromptInput(text, model.tokenizer(PARAM).encode(text, addSpecialTokens));
    }

    private static PromptInput fromIds(ServedModel model, JsonNode array) {
        int[] ids = new int[array.size()];
        int vocab = model.info().spec().vocabSize();
        for (int i = 0; i < ids.length; i++) {
            ids[i] = Fields.toInt(PARAM, array.get(i));
            if (ids[i] < 0 || ids[i] >= vocab) {
                throw ApiException.invalidValue(PARAM, "Token id " + ids[i] + " is out of vocabulary (size " + vocab + ").");
            }
        }
        String text = model.info().tokenizer().map(t -> t.decode(ids, false)).orElse("");
        return new PromptInput(text, ids);
    }
}
