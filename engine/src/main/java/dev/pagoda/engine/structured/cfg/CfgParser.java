package dev.pagoda.engine.structured.cfg;

import dev.pagoda.engine.structured.grammar.Grammar;

/** vLLM's {@code grammar} field: GBNF where the text defines rules with {@code ::=}, Lark otherwise. */
public final class CfgParser {

    private CfgParser() {}

    public static Grammar parse(String text) {
        return looksLikeGbnf(text) ? GbnfParser.parse(text) : LarkParser.parse(text);
    }

    static boolean looksLikeGbnf(String text) {
        return text.contains("::=");
    }
}
