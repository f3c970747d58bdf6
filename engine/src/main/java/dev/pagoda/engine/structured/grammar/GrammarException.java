package dev.pagoda.engine.structured.grammar;

/**
 * A constraint that cannot be compiled: a syntax error in a grammar or regex, an unsupported JSON
 * Schema keyword under {@code strict}, a grammar too large. The message says what and where; the
 * engine turns it into the request's 400 naming the request parameter.
 */
public final class GrammarException extends RuntimeException {

    public GrammarException(String message) {
        super(message);
    }
}
