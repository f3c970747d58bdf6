/**
 * A focused Jinja interpreter for Hugging Face chat templates: {@link dev.pagoda.catalog.chat.jinja.Template}
 * parses once ({@code Lexer} -> {@code Parser} -> an immutable {@code Ast}) and renders many times
 * ({@code Interpreter} over a small {@link dev.pagoda.catalog.chat.jinja.Value} model).
 *
 * <p><b>Why our own code rather than a library.</b> Chat templates are written for Python Jinja as
 * transformers configures it, and the one JVM engine at hand (Jinjava 2.8.2) rejects the Qwen3
 * template ({@code namespace(...)} with expression arguments, {@code messages[::-1]}) and handles
 * whitespace control differently. Chat templates use a small, closed part of Jinja, so llama.cpp
 * (minja) and {@code @huggingface/jinja} each wrote a focused interpreter; this package follows
 * the latter's grammar, precedence and lexing step for step, and is tested against it under node.
 *
 * <p><b>Semantics.</b> Where {@code @huggingface/jinja} defines a behaviour it is reproduced,
 * including how values print ({@code true}, lists and dicts as JSON, none as nothing). Where it
 * lacks a feature (tests with arguments, {@code loop.cycle}, {@code sum}/{@code min}/{@code max}/
 * {@code batch}/{@code select}, {@code map('filter')}, {@code strip(chars)}, list methods,
 * {@code dict()}), Python Jinja's behaviour is implemented. Where its answer is a JavaScript artefact
 * that transformers does not share, Python wins: {@code [1] == [1]} is true, {@code -7 % 3} is 2,
 * floats print and serialize as Python does ({@code 1.0}), {@code strip('\n')} strips only
 * newlines, output printed before {@code {% continue %}} is kept.
 */
package dev.pagoda.catalog.chat.jinja;
