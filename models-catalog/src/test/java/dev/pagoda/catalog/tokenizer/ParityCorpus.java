package dev.pagoda.catalog.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Texts every tokenizer must handle exactly as the reference: the fixed corpus plus seeded random mixes (public: fixture tests elsewhere use it too). */
public final class ParityCorpus {

    private ParityCorpus() {}

    static final List<String> FIXED = List.of(
            "",
            "Hello world",
            "The quick brown fox jumps over the lazy dog. It's what they'll do, isn't it? I'd say we've won.",
            "  leading spaces and trailing spaces   ",
            " a",
            "a ",
            "multiple    spaces\tand\ttabs\n\nnewlines\r\nCRLF\n\n\n",
            "\n",
            " ",
            "     ",
            "\t\t",
            """
            public final class Main {
                public static void main(String[] args) {
                    for (int i = 0; i < 10; i++) {
                        System.out.println("i = " + i);  // count
                    }
                }
            }
            """,
            """
            def fib(n: int) -> int:
                if n < 2:
                    return n
                return fib(n - 1) + fib(n - 2)

            print([fib(i) for i in range(20)])
            """,
            "Emoji: 😀😃🤖 👍🏽 family 👨‍👩‍👧‍👦 flags 🇺🇸🇯🇵🇩🇪 heart ❤️",
            "中文分词测试：今天天气很好。日本語のテキスト、カタカナ。한국어 문장입니다.",
            "Accents: café naïve résumé Ångström São Paulo Ελληνικά русский язык",
            "Combining: e\u0301 a\u0300 o\u0308 n\u0303 (decomposed) vs é à ö ñ",
            "Digits 0123456789 1234567 3.14159 1,000,000 2026-11-27 12:34:56",
            "Math ∑∫√∞ ≠ ≤ ≥ → ← and symbols ©®™ § ¶ • … — –",
            "<|begin_of_text|>Hello<|eot_id|>",
            "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n<think>\n</think>4<|im_end|>",
            "<s>[INST] Hi there [/INST] Hello!</s>",
            "text</s>  after special",
            "<start_of_turn>user\nhi<end_of_turn>\n<bos>x",
            "<|endoftext|>",
            "<unk> and <pad>",
            "URL https://example.com/path?q=1&r=2#frag and email a.b@c.org",
            "Mixed: ASCII + 😀 + 中文 + é\u0301 + \u00a0nbsp\u2003emspace\u3000ideographic",
            "ḁ̸̈ zalgo t̶̢̛e̵x̴t̸",
            "ＦＵＬＬ　ｗｉｄｔｈ ｆｏｒｍｓ",
            "'s 't 're 've 'm 'll 'd 'S 'T 'RE",
            "a".repeat(300) + " " + "ab ".repeat(200) + "9".repeat(50),
            "word ".repeat(600));

    private static final List<String> FRAGMENTS = List.of(
            "the", " cat", "  ", "\n", "\t", " ", "😀", "👨‍👩‍👧", "🇫🇷", "中", "文字", "é", "e\u0301", "ß", "123", "4",
            "<|im_end|>", "<|eot_id|>", "</s>", "<s>", "<end_of_turn>", "<think>", "(", ")", "{", "}", ";", "'s",
            "don't", "Ω", "ä", "ĉ", "\u200b", "\u00a0", "...", "!!", "x", "Y", "über", "naïve", "ー", "ア", "😊😊");

    /** {@code count} seeded random mixes of {@link #FRAGMENTS}; mix {@code i} uses seed {@code i}. */
    static List<String> randomMixes(int count) {
        List<String> out = new ArrayList<>();
        for (int seed = 0; seed < count; seed++) {
            Random r = new Random(seed);
            StringBuilder sb = new StringBuilder();
            int parts = 1 + r.nextInt(25);
            for (int i = 0; i < parts; i++) sb.append(FRAGMENTS.get(r.nextInt(FRAGMENTS.size())));
            out.add(sb.toString());
        }
        return out;
    }

    public static List<String> all() {
        List<String> out = new ArrayList<>(FIXED);
        out.addAll(randomMixes(60));
        return out;
    }
}
