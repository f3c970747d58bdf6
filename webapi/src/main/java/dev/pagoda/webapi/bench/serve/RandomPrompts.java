package dev.pagoda.webapi.bench.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.ToIntFunction;

/**
 * vLLM's "random" dataset: seeded prompts of a set length, each different so prefix caching cannot
 * serve one from another. The tokens come from the server's own tokenizer (through
 * {@code /tokenize}), so the benchmark needs no model files.
 */
final class RandomPrompts {

    /** Ordinary English words: their tokens are plain text in any vocabulary, never special tokens. */
    static final List<String> WORDS = List.of("the", "of", "and", "to", "in", "is", "that", "for", "it", "as", "was",
            "with", "be", "by", "on", "not", "he", "this", "are", "or", "his", "from", "at", "which", "but", "have",
            "an", "had", "they", "you", "were", "their", "one", "all", "we", "can", "her", "has", "there", "been",
            "if", "more", "when", "will", "would", "who", "so", "no", "time", "people", "water", "house", "river",
            "light", "small", "number", "world", "city", "table", "paper", "music", "story", "garden", "window",
            "morning", "mountain", "question", "system", "market", "winter", "summer", "engine", "letter", "stone");

    private RandomPrompts() {}

    /**
     * {@code count} prompts of exactly {@code length} token ids, drawn from the ids the server's
     * tokenizer gives ordinary words (so no special token lands in a prompt).
     */
    static List<BenchPrompt> tokenIds(ServerClient server, int count, int length, long seed) {
        ObjectNode body = ServerClient.JSON.createObjectNode().put("prompt", String.join(" ", WORDS)).put("add_special_tokens", false);
        int[] alphabet = Arrays.stream(server.tokenize(body)).distinct().toArray();
        if (alphabet.length == 0) throw new IllegalStateException("/tokenize returned no tokens for plain English words");
        SplittableRandom random = new SplittableRandom(seed);
        List<BenchPrompt> prompts = new ArrayList<>(count);
        for (int p = 0; p < count; p++) {
            int[] ids = new int[length];
            for (int i = 0; i < length; i++) ids[i] = alphabet[random.nextInt(alphabet.length)];
            prompts.add(BenchPrompt.ofIds(ids));
        }
        return prompts;
    }

    /**
     * {@code count} user messages of random words, each the longest run of its words whose whole
     * rendered conversation (chat template included, as the server counts it) has at most
     * {@code length} tokens. Text cannot hit a length exactly (tokens merge across words), so this
     * is "about L": at most L, and short of it by less than one word.
     */
    static List<BenchPrompt> chatTexts(ServerClient server, String model, int count, int length, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<BenchPrompt> prompts = new ArrayList<>(count);
        for (int p = 0; p < count; p++) {
            String[] words = new String[length]; // every word is at least one token, so more can never fit
            for (int i = 0; i < length; i++) words[i] = WORDS.get(random.nextInt(WORDS.size()));
            ToIntFunction<Integer> tokensOfFirst = n -> server.tokenize(chatBody(model, text(words, n))).length;
            int fit = longestFitting(words.length, length, tokensOfFirst);
            if (fit == 0) {
                throw new IllegalStateException("--input-len " + length + " is shorter than the chat template around a one-word message ("
                        + tokensOfFirst.applyAsInt(1) + " tokens); use a larger --input-len or --endpoint /v1/completions");
            }
            prompts.add(BenchPrompt.ofText(text(words, fit), tokensOfFirst.applyAsInt(fit)));
        }
        return prompts;
    }

    /** Binary search for the largest n in [0, max] with tokens(n) ≤ limit, tokens being non-decreasing in n. */
    static int longestFitting(int max, int limit, ToIntFunction<Integer> tokens) {
        int lo = 0, hi = max; // tokens(lo) fits (n = 0 is taken to fit); the answer is in [lo, hi]
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (tokens.applyAsInt(mid) <= limit) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }

    static JsonNode chatBody(String model, String text) {
        ObjectNode body = ServerClient.JSON.createObjectNode().put("model", model);
        body.putArray("messages").addObject().put("role", "user").put("content", text);
        return body;
    }

    private static String text(String[] words, int n) {
        return String.join(" ", Arrays.asList(words).subList(0, n));
    }
}
