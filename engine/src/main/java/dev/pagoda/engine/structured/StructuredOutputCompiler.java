package dev.pagoda.engine.structured;

import dev.pagoda.engine.sample.InvalidSamplingParamsException;
import dev.pagoda.engine.structured.cfg.CfgParser;
import dev.pagoda.engine.structured.grammar.Expr;
import dev.pagoda.engine.structured.grammar.Grammar;
import dev.pagoda.engine.structured.grammar.GrammarException;
import dev.pagoda.engine.structured.json.JsonSchemaCompiler;
import dev.pagoda.engine.structured.json.JsonSyntax;
import dev.pagoda.engine.structured.mask.TokenTrie;
import dev.pagoda.engine.structured.mask.TokenVocabulary;
import dev.pagoda.engine.structured.regex.RegexParser;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Supplier;

/**
 * Compiles {@link StructuredOutput} constraints for one model's vocabulary, with an LRU cache
 * keyed by the constraint (its kind and text, not the request field it came from), bounded in
 * entries and in bytes (a grammar's token tables take from under a MiB to a few tens), so
 * requests repeating a schema compile it once. Compilation runs on the caller's thread — at
 * submit, so a bad constraint is the request's 400 — and spreads the precomputation of token
 * tables over the machine's cores. The vocabulary and its trie are built on first use. Thread-safe.
 */
public final class StructuredOutputCompiler {

    public static final int DEFAULT_CACHE_SIZE = 64;
    /** Heap the cached grammars may hold together. */
    public static final long DEFAULT_CACHE_BYTES = 512L << 20;

    /** The cache key: what the grammar depends on. */
    private record Key(String kind, String text, boolean strict, List<String> choices) {}

    private record Vocab(TokenVocabulary vocabulary, TokenTrie trie) {}

    private final Supplier<TokenVocabulary> vocabularySource;
    private final int threads;
    private final LinkedHashMap<Key, CompiledGrammar> cache = new LinkedHashMap<>(16, 0.75f, true); // access order: eldest first
    private final int cacheSize;
    private final long cacheBytes;
    private long cachedBytes; // guarded by cache
    private volatile Vocab vocab;

    /**
     * @param vocabulary the model's token vocabulary, built on first use; null where the model
     *                   has no tokenizer (every constraint is then refused)
     * @param cacheSize  compiled grammars kept
     */
    public StructuredOutputCompiler(Supplier<TokenVocabulary> vocabulary, int cacheSize) {
        this(vocabulary, cacheSize, DEFAULT_CACHE_BYTES);
    }

    /** @param cacheBytes heap the cached grammars may hold together (the newest is kept whatever its size) */
    public StructuredOutputCompiler(Supplier<TokenVocabulary> vocabulary, int cacheSize, long cacheBytes) {
        this.vocabularySource = vocabulary;
        this.threads = Runtime.getRuntime().availableProcessors();
        this.cacheSize = cacheSize;
        this.cacheBytes = cacheBytes;
    }

    /**
     * The compiled grammar of {@code spec}, from the cache or compiled now.
     *
     * @throws InvalidSamplingParamsException naming {@code spec.parameter()} when it cannot be compiled
     */
    public CompiledGrammar compile(StructuredOutput spec) {
        Key key = keyOf(spec);
        synchronized (cache) {
            CompiledGrammar hit = cache.get(key);
            if (hit != null) return hit;
        }
        if (vocabularySource == null) {
            throw new InvalidSamplingParamsException(spec.parameter(), spec.parameter()
                    + ": structured output needs the model's tokenizer, and this model has none");
        }
        Vocab v = vocab();
        CompiledGrammar compiled;
        try {
            compiled = CompiledGrammar.compile(grammarOf(spec), v.vocabulary(), v.trie(), threads);
        } catch (GrammarException e) {
            throw new InvalidSamplingParamsException(spec.parameter(), spec.parameter() + ": " + e.getMessage());
        } catch (IllegalStateException e) {
            throw new InvalidSamplingParamsException(spec.parameter(), spec.parameter() + ": the grammar cannot be used: " + e.getMessage());
        }
        synchronized (cache) {
            CompiledGrammar raced = cache.putIfAbsent(key, compiled);
            if (raced != null) return raced; // another thread compiled it meanwhile
            cachedBytes += compiled.bytes();
            for (var it = cache.entrySet().iterator(); it.hasNext() && cache.size() > 1 && (cache.size() > cacheSize || cachedBytes > cacheBytes); ) {
                CompiledGrammar eldest = it.next().getValue();
                if (eldest == compiled) break;
                cachedBytes -= eldest.bytes();
                it.remove();
            }
        }
        return compiled;
    }

    /** Grammars compiled and still cached. */
    public int cached() {
        synchronized (cache) {
            return cache.size();
        }
    }

    private Vocab vocab() {
        Vocab v = vocab;
        if (v == null) {
            synchronized (this) {
                v = vocab;
                if (v == null) {
                    TokenVocabulary tokens = vocabularySource.get();
                    vocab = v = new Vocab(tokens, TokenTrie.of(tokens));
                }
            }
        }
        return v;
    }

    private static Key keyOf(StructuredOutput spec) {
        return switch (spec) {
            case StructuredOutput.JsonSchema s -> new Key("json_schema", s.schemaJson(), s.strict(), List.of());
            case StructuredOutput.JsonObject o -> new Key("json_object", "", false, List.of());
            case StructuredOutput.Regex r -> new Key("regex", r.pattern(), false, List.of());
            case StructuredOutput.Choice c -> new Key("choice", "", false, c.choices());
            case StructuredOutput.Grammar g -> new Key("grammar", g.grammar(), false, List.of());
        };
    }

    /**
     * The grammar a constraint stands for (no vocabulary needed).
     *
     * @throws GrammarException with what is wrong
     */
    public static Grammar grammarOf(StructuredOutput spec) {
        return switch (spec) {
            case StructuredOutput.JsonSchema s -> JsonSchemaCompiler.compile(s.schemaJson(), s.strict());
            case StructuredOutput.JsonObject o -> JsonSyntax.anyObject();
            case StructuredOutput.Regex r -> Grammar.of(RegexParser.parse(r.pattern()).body());
            case StructuredOutput.Choice c -> {
                if (c.choices().isEmpty()) throw new GrammarException("choice needs at least one string");
                List<Expr> options = new ArrayList<>();
                for (String s : c.choices()) options.add(Expr.literal(s));
                yield Grammar.of(Expr.alt(options));
            }
            case StructuredOutput.Grammar g -> CfgParser.parse(g.grammar());
        };
    }
}
