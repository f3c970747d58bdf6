package dev.pagoda.engine.sample;

/**
 * A request's end and what caused it (vLLM's {@code finish_reason} and {@code stop_reason}).
 *
 * @param reason      STOP, LENGTH or ABORT
 * @param stopString  the stop string that matched, or null
 * @param stopTokenId the {@code stop_token_ids} entry that matched, or null (null for EOS, as in vLLM)
 */
public record Finish(FinishReason reason, String stopString, Integer stopTokenId) {

    public static final Finish EOS = new Finish(FinishReason.STOP, null, null);
    public static final Finish LENGTH = new Finish(FinishReason.LENGTH, null, null);
    public static final Finish ABORTED = new Finish(FinishReason.ABORT, null, null);

    public static Finish stopString(String stop) {
        return new Finish(FinishReason.STOP, stop, null);
    }

    public static Finish stopToken(int tokenId) {
        return new Finish(FinishReason.STOP, null, tokenId);
    }
}
