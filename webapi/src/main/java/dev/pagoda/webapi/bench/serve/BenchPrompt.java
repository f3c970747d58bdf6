package dev.pagoda.webapi.bench.serve;

/**
 * One request's prompt: token ids for {@code /v1/completions} (so the length is exact), or the
 * user message's text for chat.
 *
 * @param tokens the planned prompt length in tokens as the server counts it
 */
public record BenchPrompt(int[] ids, String text, int tokens) {

    public static BenchPrompt ofIds(int[] ids) {
        return new BenchPrompt(ids.clone(), null, ids.length);
    }

    public static BenchPrompt ofText(String text, int tokens) {
        return new BenchPrompt(null, text, tokens);
    }
}
