package dev.pagoda.catalog.tokenizer;

import java.util.List;
import java.util.OptionalInt;

/**
 * Text to token ids and back, exactly as the model's Hugging Face tokenizer does it. What the engine
 * (prompt ids, stop tokens) and the server (streamed text) use; implementations are thread-safe.
 */
public interface Tokenizer {

    /**
     * Token ids of {@code text}. Special tokens written in the text (e.g. {@code <|im_start|>}) are
     * recognised as single tokens, as HF does by default. {@code addSpecialTokens} adds what the
     * tokenizer's post-processing adds (BOS for Llama-2, nothing for Qwen).
     */
    int[] encode(String text, boolean addSpecialTokens);

    /** Text of {@code ids} as HF {@code decode} gives it (without {@code clean_up_tokenization_spaces}). */
    String decode(int[] ids, boolean skipSpecialTokens);

    /** Number of ids, added tokens included (the highest id + 1). */
    int vocabSize();

    OptionalInt bosTokenId();

    /** Ids that end generation; the first is the tokenizer's {@code eos_token}. */
    List<Integer> eosTokenIds();

    /** Whether {@code id} is a special token, i.e. one that {@code skipSpecialTokens} drops. */
    boolean isSpecial(int id);

    /** The raw vocabulary string of {@code id} (e.g. {@code "Ġthe"}, {@code "▁the"}, {@code "<0x0A>"}). */
    String tokenPiece(int id);

    /**
     * The bytes {@code id} stands for in decoded text, as the decoder maps its piece: GPT-2's byte
     * alphabet for byte-level vocabularies, "▁" as a space and {@code <0xXX>} as one byte for
     * SentencePiece ones; special and added tokens give their text's UTF-8. What a grammar over bytes
     * matches the token against. Concatenated over a sequence they give its decoded text's bytes,
     * except that SentencePiece decoders also drop the whole text's first space (a property of the
     * position, not of a token) and print invalid UTF-8 their own way.
     */
    byte[] tokenBytes(int id);

    /** A fresh streaming decoder for one sequence. */
    default IncrementalDetokenizer newDetokenizer(boolean skipSpecialTokens) {
        return new IncrementalDetokenizer(this, skipSpecialTokens);
    }

    TokenizerConfig config();
}
