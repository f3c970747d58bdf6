package dev.pagoda.webapi.openai;

import dev.pagoda.catalog.tokenizer.Tokenizer;
import dev.pagoda.engine.api.TokenLogprobs;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Token ids as logprobs show them: each token decoded alone, as vLLM does (a byte of a longer
 * character decodes to U+FFFD; the {@code bytes} field keeps the truth). Without a tokenizer a token
 * shows as {@code token_id:N}, vLLM's {@code return_tokens_as_token_ids} form.
 */
final class TokenTexts {

    private final Optional<Tokenizer> tokenizer;

    TokenTexts(Optional<Tokenizer> tokenizer) {
        this.tokenizer = tokenizer;
    }

    String text(int id) {
        return tokenizer.map(t -> t.decode(new int[] {id}, false)).orElse("token_id:" + id);
    }

    private static List<Integer> bytes(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        List<Integer> out = new ArrayList<>(b.length);
        for (byte x : b) out.add(x & 0xFF);
        return out;
    }

    /** Chat's {@code logprobs.content}: one entry per generated token. */
    ChatJson.ChatLogprobs chat(int[] ids, List<TokenLogprobs> logprobs) {
        List<ChatJson.TokenLogprob> content = new ArrayList<>(ids.length);
        for (int i = 0; i < ids.length && i < logprobs.size(); i++) {
            TokenLogprobs lp = logprobs.get(i);
            List<ChatJson.TopLogprob> top = new ArrayList<>(lp.topTokenIds().length);
            int[] topIds = lp.topTokenIds();
            float[] topLps = lp.topLogprobs();
            for (int k = 0; k < topIds.length; k++) {
                String t = text(topIds[k]);
                top.add(new ChatJson.TopLogprob(t, topLps[k], bytes(t)));
            }
            String t = text(ids[i]);
            content.add(new ChatJson.TokenLogprob(t, lp.logprob(), bytes(t), top));
        }
        return new ChatJson.ChatLogprobs(content, null);
    }

    /**
     * vLLM's {@code prompt_logprobs}: null for the first prompt token, then per token a map from id
     * to logprob, rank and text holding the prompt token and the top ones; null when none were scored.
     *
     * @param scored one per prompt token after the first, as the engine reports them
     */
    List<Map<String, CompletionJson.PromptLogprob>> promptLogprobs(int[] promptIds, List<TokenLogprobs> scored) {
        if (scored.isEmpty()) return null;
        List<Map<String, CompletionJson.PromptLogprob>> out = new ArrayList<>(promptIds.length);
        out.add(null);
        for (int i = 1; i < promptIds.length && i - 1 < scored.size(); i++) {
            TokenLogprobs lp = scored.get(i - 1);
            Map<String, CompletionJson.PromptLogprob> entry = new LinkedHashMap<>();
            int[] topIds = lp.topTokenIds();
            Integer rank = null;
            for (int k = 0; k < topIds.length; k++) if (topIds[k] == promptIds[i] && rank == null) rank = k + 1;
            entry.put(Integer.toString(promptIds[i]), new CompletionJson.PromptLogprob(lp.logprob(), rank, text(promptIds[i])));
            for (int k = 0; k < topIds.length; k++) {
                entry.putIfAbsent(Integer.toString(topIds[k]),
                        new CompletionJson.PromptLogprob(lp.topLogprobs()[k], k + 1, text(topIds[k])));
            }
            out.add(entry);
        }
        return out;
    }

    /**
     * Completions' logprobs for {@code echo}: the prompt's tokens first — the first with null
     * logprobs, as OpenAI and vLLM send it — then the generated ones, offsets running on.
     */
    CompletionJson.Logprobs echoed(int[] promptIds, List<TokenLogprobs> scored, int[] ids, List<TokenLogprobs> logprobs) {
        CompletionJson.Logprobs prompt = promptPart(promptIds, scored);
        int end = 0;
        for (int i = 0; i < promptIds.length; i++) end += text(promptIds[i]).length();
        CompletionJson.Logprobs generated = completions(ids, logprobs, end);
        return new CompletionJson.Logprobs(concat(prompt.tokens(), generated.tokens()),
                concat(prompt.tokenLogprobs(), generated.tokenLogprobs()), concat(prompt.topLogprobs(), generated.topLogprobs()),
                concat(prompt.textOffset(), generated.textOffset()));
    }

    /** The echoed prompt's part of {@link #echoed}, alone: a stream's first chunk. */
    CompletionJson.Logprobs promptPart(int[] promptIds, List<TokenLogprobs> scored) {
        List<String> tokens = new ArrayList<>();
        List<Double> tokenLps = new ArrayList<>();
        List<Map<String, Double>> tops = new ArrayList<>();
        List<Integer> offsets = new ArrayList<>();
        int at = 0;
        for (int i = 0; i < promptIds.length; i++) {
            String t = text(promptIds[i]);
            tokens.add(t);
            offsets.add(at);
            at += t.length();
            if (i == 0 || i - 1 >= scored.size()) {
                tokenLps.add(null);
                tops.add(null);
                continue;
            }
            TokenLogprobs lp = scored.get(i - 1);
            tokenLps.add((double) lp.logprob());
            tops.add(topByText(t, lp));
        }
        return new CompletionJson.Logprobs(tokens, tokenLps, tops, offsets);
    }

    /** The legacy {@code top_logprobs} entry: text to logprob, the top ones and, as in vLLM, the token itself. */
    private Map<String, Double> topByText(String token, TokenLogprobs lp) {
        Map<String, Double> top = new LinkedHashMap<>();
        for (int k = 0; k < lp.topTokenIds().length; k++) top.putIfAbsent(text(lp.topTokenIds()[k]), (double) lp.topLogprobs()[k]);
        top.putIfAbsent(token, (double) lp.logprob());
        return top;
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    /**
     * Completions' parallel lists. {@code offset} is where this piece starts in the choice's text, so
     * streamed chunks continue the offsets of the ones before.
     */
    CompletionJson.Logprobs completions(int[] ids, List<TokenLogprobs> logprobs, int offset) {
        List<String> tokens = new ArrayList<>();
        List<Double> tokenLps = new ArrayList<>();
        List<Map<String, Double>> tops = new ArrayList<>();
        List<Integer> offsets = new ArrayList<>();
        int at = offset;
        for (int i = 0; i < ids.length && i < logprobs.size(); i++) {
            TokenLogprobs lp = logprobs.get(i);
            String t = text(ids[i]);
            tokens.add(t);
            tokenLps.add((double) lp.logprob());
            tops.add(topByText(t, lp));
            offsets.add(at);
            at += t.length();
        }
        return new CompletionJson.Logprobs(tokens, tokenLps, tops, offsets);
    }
}
