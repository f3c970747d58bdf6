package dev.pagoda.engine.structured;

import dev.pagoda.engine.structured.automaton.Automaton;
import dev.pagoda.engine.structured.automaton.AutomatonBuilder;
import dev.pagoda.engine.structured.grammar.Grammar;
import dev.pagoda.engine.structured.mask.TokenTables;
import dev.pagoda.engine.structured.mask.TokenTrie;
import dev.pagoda.engine.structured.mask.TokenVocabulary;

/**
 * A grammar ready to constrain decoding over one vocabulary: its pushdown automaton and the
 * precomputed token tables of every state. Immutable and shared; each output gets its own
 * {@link #newMatcher}.
 *
 * @param compileNanos time spent building the automaton and the tables
 */
public record CompiledGrammar(Automaton automaton, TokenTables tables, TokenTrie trie, TokenVocabulary vocabulary, long compileNanos) {

    /** Compiles {@code grammar} for {@code vocabulary} (whose trie is {@code trie}), precomputing on up to {@code threads} threads. */
    public static CompiledGrammar compile(Grammar grammar, TokenVocabulary vocabulary, TokenTrie trie, int threads) {
        long start = System.nanoTime();
        Automaton a = AutomatonBuilder.build(grammar);
        TokenTables tables = TokenTables.build(a, trie, vocabulary.size(), threads);
        return new CompiledGrammar(a, tables, trie, vocabulary, System.nanoTime() - start);
    }

    /** Heap held, roughly: the token tables and the transition table. */
    public long bytes() {
        return tables.bytes() + 4 * automaton.tableEntries();
    }

    /** A matcher at the start of an output; {@code extraEndTokens} (the request's stop token ids) end it like EOS. */
    public GrammarMatcher newMatcher(int... extraEndTokens) {
        return new GrammarMatcher(this, extraEndTokens);
    }
}
