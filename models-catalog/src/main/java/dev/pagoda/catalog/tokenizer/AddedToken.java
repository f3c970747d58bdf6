package dev.pagoda.catalog.tokenizer;

/**
 * A token of tokenizer.json's {@code added_tokens} (or tokenizer_config.json's
 * {@code added_tokens_decoder}): matched as a whole in the input text before the model's own
 * tokenization. {@code special} ones are dropped by {@code skip_special_tokens}.
 */
public record AddedToken(int id, String content, boolean special, boolean lstrip, boolean rstrip,
                         boolean normalized, boolean singleWord) {}
