package dev.pagoda.catalog.tokenizer;

import java.util.List;
import java.util.regex.Pattern;

/**
 * How byte-level BPE tokenizers cut text into words before merging, chosen by GGUF
 * {@code tokenizer.ggml.pre}. The regexes are the tokenizer.json ones HF runs (llama.cpp uses the same).
 */
enum BpePreTokenizer {
    LLAMA3(List.of("llama-bpe", "llama3", "llama-v3"),
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
            false, true),
    /** Qwen's tokenizer.json also NFC-normalizes before splitting. */
    QWEN2(List.of("qwen2"),
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
            true, false),
    GPT2(List.of("gpt-2", "gpt2", "default"), HfTokenizerJson.GPT2_REGEX, false, false);

    /** {@code tokenizer.ggml.pre} values meaning this; the first is what conversion writes. */
    final List<String> names;
    final String regex;
    final Pattern pattern;
    final boolean nfc;
    /** HF {@code ignore_merges}: a word that is itself in the vocabulary is one token, merges or not. */
    final boolean ignoreMerges;

    BpePreTokenizer(List<String> names, String regex, boolean nfc, boolean ignoreMerges) {
        this.names = names;
        this.regex = regex;
        // \s must mean Unicode white space as in HF's (Oniguruma) regexes, not just ASCII.
        this.pattern = Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
        this.nfc = nfc;
        this.ignoreMerges = ignoreMerges;
    }

    static BpePreTokenizer byName(String pre) {
        for (BpePreTokenizer p : values()) if (p.names.contains(pre)) return p;
        return null;
    }

    static BpePreTokenizer byRegex(String regex) {
        for (BpePreTokenizer p : values()) if (p.regex.equals(regex)) return p;
        return null;
    }

    static String supportedNames() {
        return String.join(", ", java.util.Arrays.stream(values()).flatMap(p -> p.names.stream()).toList());
    }
}
