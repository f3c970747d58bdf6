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
            Map<String, Double> top = new LinkedHashMap<>();
            int[] topIds = lp.topTokenIds();
            float[] topLps = lp.topLogprobs();
            for (int k = 0; k < topIds.length; k++) top.putIfAbsent(text(topIds[k]), (double) topLps[k]);
            top.putIfAbsent(t, (double) lp.logprob());
            tops.add(top);
            offsets.add(at);
            at += t.length();
        }
        return new CompletionJson.Logprobs(tokens, tokenLps, tops, offsets);
    }
}
