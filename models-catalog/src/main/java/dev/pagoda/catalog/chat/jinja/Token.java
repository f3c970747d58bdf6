package dev.pagoda.catalog.chat.jinja;

/** One lexical token; {@code offset} indexes the preprocessed source (see {@link SourceText}). */
record Token(Type type, String text, int offset) {

    enum Type {
        TEXT, NUMBER, STRING, IDENTIFIER, EQUALS, OPEN_PAREN, CLOSE_PAREN,
        OPEN_STATEMENT, CLOSE_STATEMENT, OPEN_EXPRESSION, CLOSE_EXPRESSION,
        OPEN_BRACKET, CLOSE_BRACKET, OPEN_BRACE, CLOSE_BRACE,
        COMMA, DOT, COLON, PIPE,
        /** {@code + - ~} */
        ADDITIVE,
        /** {@code * / // %} */
        MULTIPLICATIVE,
        /** {@code **} */
        POWER,
        /** {@code < > <= >= == !=} */
        COMPARISON,
        /** A sign before an operand, e.g. the {@code -} of {@code -x}. */
        UNARY,
        COMMENT,
        END
    }

    boolean is(Type t, String s) {
        return type == t && text.equals(s);
    }

    boolean isWord(String word) {
        return is(Type.IDENTIFIER, word);
    }
}
