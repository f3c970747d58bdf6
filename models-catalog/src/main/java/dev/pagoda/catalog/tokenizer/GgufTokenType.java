package dev.pagoda.catalog.tokenizer;

/** llama.cpp's {@code tokenizer.ggml.token_type} values. */
enum GgufTokenType {
    UNDEFINED(0), NORMAL(1), UNKNOWN(2), CONTROL(3), USER_DEFINED(4), UNUSED(5), BYTE(6);

    final int code;

    GgufTokenType(int code) {
        this.code = code;
    }

    static GgufTokenType of(long code) {
        for (GgufTokenType t : values()) if (t.code == code) return t;
        return null;
    }

    /** Matched as a whole where written in the input text (llama.cpp and HF added tokens). */
    boolean matchedInText() {
        return this == CONTROL || this == USER_DEFINED || this == UNKNOWN;
    }

    /** Dropped by {@code skip_special_tokens} (HF added tokens with {@code special: true}). */
    boolean special() {
        return this == CONTROL || this == UNKNOWN;
    }
}
