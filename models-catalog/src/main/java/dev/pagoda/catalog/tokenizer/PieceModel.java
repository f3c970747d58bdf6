package dev.pagoda.catalog.tokenizer;

import java.util.function.IntConsumer;

/** The model-specific half of a GGUF tokenizer: plain text (no special tokens) to ids, ids to text. */
interface PieceModel {

    /**
     * Tokenizes one run of plain text.
     *
     * @param atStart whether the run starts the input or follows a special token (SentencePiece adds its
     *     dummy-prefix space there)
     */
    void encode(String text, boolean atStart, IntConsumer out);

    /** Text of {@code ids}, all of which are kept (skipping is done by the caller). */
    String decode(int[] ids);

    /** The bytes {@code id} contributes to decoded text (see {@link Tokenizer#tokenBytes}). */
    byte[] tokenBytes(int id);
}
