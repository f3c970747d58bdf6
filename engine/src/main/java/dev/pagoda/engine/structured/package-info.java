/**
 * Structured output: grammar-constrained decoding over the model's vocabulary, on every backend.
 *
 * <pre>
 *   StructuredOutput (request)  --StructuredOutputCompiler (at submit, LRU cache)-->  CompiledGrammar
 *      json/ JSON Schema, any JSON    regex/ Python-re subset    cfg/ GBNF, Lark    choice: alternatives
 *                 \______________________ grammar/ Grammar (rules of Expr over bytes) _____/
 *   automaton/  rules -> minimal DFAs -> one pushdown automaton (PdaMatcher: stacks, rollback)
 *   mask/       TokenVocabulary (token bytes) -> TokenTrie; TokenTables per automaton state;
 *               MaskFiller: bitmask of allowed tokens = tables + a stack check where a rule ends mid-token
 *   GrammarMatcher: per output; accept(token), fillMask(long[]), canEnd/mustEnd, rollback(n)
 * </pre>
 *
 * <h2>The engine</h2>
 * Everything matches bytes: a token is its byte string ({@code Tokenizer.tokenBytes}: GPT-2's
 * byte alphabet, SentencePiece's "▁" and {@code <0xNN>}), so tokens that split a UTF-8 character
 * are matched byte by byte like any other. A grammar is a set of rules; each rule becomes a
 * minimal DFA over byte classes and rule calls, and all rules' states are numbered in one
 * pushdown automaton. A matcher's position is a set of configurations (state, return stack), the
 * stacks hash-consed so that parses sharing a stack are one configuration (a graph-structured
 * stack); every token's set is kept, so {@code rollback(n)} is a copy back.
 *
 * <p>Masks follow the xgrammar / llguidance design. Rules that are not recursive are inlined into
 * their callers, so for a JSON schema without recursion the whole grammar is one DFA. For every
 * state that reads bytes, compilation walks the vocabulary's trie once and records the tokens
 * accepted from that state without leaving its rule — whatever the stack holds below — and the
 * trie nodes where the rule may end inside a token with a next byte some caller can take (its
 * FOLLOW set). At run time a mask is the union of the configurations' accepted sets (bitmask ORs
 * or id lists), plus, only below those recorded nodes, a walk of the trie against the real stack.
 * For a non-recursive schema that second part is empty. Compilation spreads the per-state walks
 * over the machine's cores.
 *
 * <p>Special tokens are never allowed as text. End tokens (EOS, and the request's stop token ids)
 * are allowed exactly where the grammar may end, and are the only tokens left where it must;
 * after one is accepted only end tokens are allowed (so {@code ignore_eos} keeps emitting them).
 * On the CPU the sampler sets disallowed logits to -inf before bias, penalties, temperature and
 * the top-k/top-p/min-p filters; logprobs stay those of the raw logits. On CUDA the bitmask goes
 * with the step and the sampling kernel treats disallowed tokens as -inf; a step with structured
 * rows is awaited before the next is scheduled, since the next mask depends on its token.
 *
 * <h2>JSON: the layout the grammar allows</h2>
 * A JSON Schema grammar accepts valid JSON texts written in one layout, the way xgrammar does it:
 * <ul>
 *   <li>object members in schema order: the declared {@code properties} in their order (each
 *       optional one present or not), then any additional members (when allowed), whose keys are
 *       not declared names; no member twice;</li>
 *   <li>whitespace only between tokens (after {@code { [ , :}, before {@code , : } ]}), at most
 *       {@value dev.pagoda.engine.structured.json.JsonSyntax#MAX_WHITESPACE} bytes of space, tab or
 *       newline in a row, none before or after the whole value: a model cannot loop on spaces;</li>
 *   <li>numbers: an integer part of at most {@value dev.pagoda.engine.structured.json.JsonSyntax#MAX_INTEGER_DIGITS}
 *       digits, a fraction of at most {@value dev.pagoda.engine.structured.json.JsonSyntax#MAX_FRACTION_DIGITS},
 *       an exponent of at most {@value dev.pagoda.engine.structured.json.JsonSyntax#MAX_EXPONENT_DIGITS};
 *       an {@code integer} is written as an integer ({@code 1}, not {@code 1.0}); bounded numbers
 *       have no exponent;</li>
 *   <li>{@code enum} and {@code const} values as Jackson writes them (members in the value's order,
 *       whitespace as above); string characters as themselves except {@code "}, backslash and
 *       controls, which are escaped (any escape is accepted in free strings; patterns and formats
 *       match the escaped text's characters as written, so only the canonical escapes there).</li>
 * </ul>
 * Within that layout the grammar accepts exactly the texts a JSON Schema validator accepts (the
 * test compares the two on random schemas). A schema without {@code type} is taken to be of the
 * types its keywords imply ({@code properties} → object, {@code items} → array, {@code minLength}
 * → string, {@code minimum} → number), not "any type" as JSON Schema reads it.
 *
 * <p>Supported keywords and what {@code strict} refuses are listed on
 * {@link dev.pagoda.engine.structured.json.JsonSchemaCompiler}; string formats on
 * {@code json.StringFormats} (date, time, date-time, uuid, ipv4, email).
 */
package dev.pagoda.engine.structured;
