package dev.pagoda.catalog.chat.jinja;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Bad templates fail with one clear message: syntax errors with the line and column the author sees. */
class TemplateErrorsTest {

    private static TemplateSyntaxException syntaxError(String template) {
        return assertThrows(TemplateSyntaxException.class, () -> Template.parse(template));
    }

    private static TemplateException renderError(String template) {
        Template t = Template.parse(template);
        return assertThrows(TemplateException.class, () -> t.render(Map.of()));
    }

    @Test
    void syntaxErrorsNameLineAndColumn() {
        var e = syntaxError("line 1\nline 2 {{ x + }}");
        assertEquals(2, e.line());
        assertEquals(15, e.column()); // the '}}' where an operand should be
        assertTrue(e.getMessage().contains("line 2, column 15"), e.getMessage());
    }

    @Test
    void positionsSurviveBlockStripping() {
        // lstrip_blocks removes the indentation before {% if %}; the column must still be the author's.
        var e = syntaxError("  {% if x %}\n    {{ 1 + }}{% endif %}");
        assertEquals(2, e.line());
        assertEquals(12, e.column());
    }

    @Test
    void unsupportedStatementsAreNamed() {
        var e = syntaxError("ok\n{% include 'other.jinja' %}");
        assertEquals(2, e.line());
        assertTrue(e.getMessage().contains("unsupported statement 'include'"), e.getMessage());
        assertTrue(syntaxError("{% for x in xs recursive %}{% endfor %}").getMessage().contains("recursive"));
    }

    @Test
    void unclosedConstructs() {
        assertTrue(syntaxError("{% if x %}abc").getMessage().contains("never closed"));
        assertTrue(syntaxError("{{ 'abc }}").getMessage().contains("string literal is not closed"));
        assertTrue(syntaxError("{# comment").getMessage().contains("comment is not closed"));
        assertTrue(syntaxError("{{ [1, 2 }}").getMessage().contains("line 1"));
        assertTrue(syntaxError("{{ x @ y }}").getMessage().contains("unexpected character '@'"));
    }

    @Test
    void runtimeErrorsNameTheProblem() {
        assertTrue(renderError("{{ 1 | nosuch }}").getMessage().contains("unknown filter 'nosuch'"));
        assertTrue(renderError("{{ 1 is nosuch }}").getMessage().contains("unknown test 'nosuch'"));
        assertTrue(renderError("{{ foo.bar() }}").getMessage().contains("cannot call foo.bar"));
        assertTrue(renderError("{{ 1 / 0 }}").getMessage().contains("division by zero"));
        assertTrue(renderError("{% set x = 1 %}{% set x.y = 2 %}").getMessage().contains("only on a namespace"));
    }

    @Test
    void hostileTemplatesFailInsteadOfExhaustingMemoryOrStack() {
        assertTrue(renderError("{{ range(100000000000) | length }}").getMessage().contains("range() too large"));
        assertTrue(renderError("{{ 'x' * 100000000000 }}").getMessage().contains("too large"));
        assertTrue(renderError("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}").getMessage().contains("recursion too deep"));
    }

    @Test
    void unusableInputIsRejectedByName() {
        var e = assertThrows(IllegalArgumentException.class, () -> Template.parse("{{ x }}").render(Map.of("x", new Object())));
        assertTrue(e.getMessage().contains("java.lang.Object"), e.getMessage());
    }
}
