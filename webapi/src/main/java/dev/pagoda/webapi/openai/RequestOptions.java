package dev.pagoda.webapi.openai;

import dev.pagoda.catalog.tokenizer.Tokenizer;
import java.util.Optional;

/**
 * vLLM's per-request fields that are not sampling: where the request queues and how the response
 * names things.
 *
 * @param priority       lower runs first; non-zero needs {@code --scheduling-policy priority} (the engine checks)
 * @param requestId      the client's {@code request_id}, which the response id (and the engine's) is built from,
 *                       as in vLLM: two live requests with one id are refused; null for a random one
 * @param tokensAsIds    {@code return_tokens_as_token_ids}: logprob tokens read {@code token_id:N}
 */
record RequestOptions(int priority, String requestId, boolean tokensAsIds) {

    static RequestOptions read(Fields f) {
        return new RequestOptions(f.integer("priority").orElse(0), f.string("request_id").orElse(null),
                f.bool("return_tokens_as_token_ids").orElse(false));
    }

    /** The response id: OpenAI's prefix and the client's request_id, else random hex. */
    String responseId(String prefix) {
        return prefix + (requestId != null ? requestId : Ids.random());
    }

    /** How logprob tokens are written: decoded by the tokenizer, or as their ids. */
    TokenTexts tokenTexts(Optional<Tokenizer> tokenizer) {
        return new TokenTexts(tokensAsIds ? Optional.empty() : tokenizer);
    }
}
