package dev.pagoda.engine.structured.cfg;

import dev.pagoda.engine.structured.grammar.Expr;
import java.util.Map;

/**
 * The terminals of Lark's {@code common.lark} that {@code %import common.X} provides, as Lark
 * text. {@code ESCAPED_STRING} is written without the lookbehind Lark's uses (which this regex
 * subset lacks) as the equal language of quoted strings whose backslashes each escape one
 * character; the comment terminals are written without lazy matching, which a full match does
 * not need.
 */
final class LarkCommon {

    private static final String TEXT = """
            DIGIT: "0".."9"
            HEXDIGIT: "a".."f"|"A".."F"|DIGIT
            INT: DIGIT+
            SIGNED_INT: ["+"|"-"] INT
            DECIMAL: INT "." INT? | "." INT
            _EXP: ("e"|"E") SIGNED_INT
            FLOAT: INT _EXP | DECIMAL _EXP?
            SIGNED_FLOAT: ["+"|"-"] FLOAT
            NUMBER: FLOAT | INT
            SIGNED_NUMBER: ["+"|"-"] NUMBER
            ESCAPED_STRING: "\\"" (/[^"\\\\\\n]/ | "\\\\" /[^\\n]/)* "\\""
            LCASE_LETTER: "a".."z"
            UCASE_LETTER: "A".."Z"
            LETTER: UCASE_LETTER | LCASE_LETTER
            WORD: LETTER+
            CNAME: ("_"|LETTER) ("_"|LETTER|DIGIT)*
            WS_INLINE: (" "|/\\t/)+
            WS: /[ \\t\\f\\r\\n]/+
            CR: /\\r/
            LF: /\\n/
            NEWLINE: (CR? LF)+
            SH_COMMENT: /#[^\\n]*/
            CPP_COMMENT: /\\/\\/[^\\n]*/
            SQL_COMMENT: /--[^\\n]*/
            """;

    private static volatile Map<String, Expr> definitions;

    private LarkCommon() {}

    static Map<String, Expr> definitions() {
        Map<String, Expr> d = definitions;
        if (d == null) definitions = d = LarkParser.definitions(TEXT);
        return d;
    }
}
