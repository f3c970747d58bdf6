package dev.pagoda.catalog.chat.jinja;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Features {@code @huggingface/jinja} lacks but Python Jinja (transformers) has, so there is no node
 * reference: each expected value is what Python Jinja 3.1 renders for the template (worked out by
 * hand from Python's semantics), written with this interpreter's printing of lists and booleans
 * (JSON-like, {@code true}), which is the reference's.
 */
class PythonJinjaFeaturesTest {

    private static final Map<String, Object> USERS = Map.of("users", List.of(
            Map.of("name", "ann", "admin", true, "age", 31),
            Map.of("name", "bob", "admin", false, "age", 25),
            Map.of("name", "cy", "admin", true, "age", 40)));

    private static String render(String template) {
        return Template.parse(template).render(USERS);
    }

    @Test
    void aggregateFilters() {
        assertEquals("6|96|13|cy", render("{{ [1,2,3] | sum }}|{{ users | sum(attribute='age') }}|{{ [3,1,2] | min }}{{ [3,1,2] | max }}|{{ (users | max(attribute='age')).name }}"));
        assertEquals("[[1, 2], [3, 4], [5]]|[[1, 2], [3, 0]]", render("{{ [1,2,3,4,5] | batch(2) | list }}|{{ [1,2,3] | batch(2, 0) | list }}"));
    }

    @Test
    void selectRejectAndMapWithAFilter() {
        assertEquals("[1, 3]|[2, 4]|AB|[3, 6]",
                render("{{ [1,2,3,4] | select('odd') | list }}|{{ [1,2,3,4] | reject('odd') | list }}|{{ ['a','b'] | map('upper') | join }}|{{ [1,2,3,6] | select('divisibleby', 3) | list }}"));
    }

    @Test
    void rejectWithATestAsLlama31UsesIt() {
        assertEquals("brave_search, wolfram_alpha",
                render("{{ ['brave_search', 'wolfram_alpha', 'code_interpreter'] | reject('equalto', 'code_interpreter') | join(', ') }}"));
    }

    @Test
    void loopCycleAndContinueKeepsOutputBeforeIt() {
        assertEquals("oeo", render("{% for x in [1,2,3] %}{{ loop.cycle('o','e') }}{% endfor %}"));
        // Python keeps what an iteration printed before {% continue %} (the reference drops it).
        assertEquals("1!23!", render("{% for x in [1,2,3] %}{{ x }}{% if x == 2 %}{% continue %}{% endif %}!{% endfor %}"));
    }

    @Test
    void testsWithArguments() {
        assertEquals("true false true true true true",
                render("{{ 9 is divisibleby 3 }} {{ 10 is divisibleby(3) }} {{ 5 is equalto 5 }} {{ 3 is gt 2 }} {{ 2 is in [1, 2] }} {{ 1.5 is float }}"));
    }

    @Test
    void stringMethodsWithArguments() {
        // Qwen3 calls strip('\n'): only newlines go, the trailing space stays.
        assertEquals("x |hi|bc|ab|[\"a-b\", \"c\"]|2 2",
                render("{{ '\\n\\nx \\n'.strip('\\n') }}|{{ 'xxhixx'.strip('x') }}|{{ 'abc'.lstrip('a') }}|{{ 'abcc'.rstrip('c') }}|{{ 'a-b-c'.rsplit('-', 1) }}|{{ 'hello'.find('l') }} {{ 'hello'.count('l') }}"));
        assertEquals("1 and n", render("{{ '{} and {name}'.format(1, name='n') }}"));
        assertEquals("[\"a\", \"\", \"b\"]|[\" a\", \"b\"]|[\"a\", \"\", \"b\"]|[\"a\", \"b  c \"]",
                render("{{ 'a--b'.rsplit('-') }}|{{ ' a b '.rsplit(none, 1) }}|{{ 'a,,b'.split(',') }}|{{ ' a b  c '.split(none, 1) }}"));
    }

    @Test
    void listMethodsMutate() {
        assertEquals("[1, 2] 2 [1]", render("{% set xs = [1] %}{% set _ = xs.append(2) %}{{ xs }} {{ xs.pop() }} {{ xs }}"));
    }

    @Test
    void numbersFollowPython() {
        assertEquals("2.0 3.14 3.0 1e-05 1.5", render("{{ 2.5 | round }} {{ 3.14159 | round(2) }} {{ 2.1 | round(0, 'ceil') }} {{ 1 / 100000 }} {{ 0.5 * 3 }}"));
        assertEquals("2 -4 ababab", render("{{ -7 % 3 }} {{ -7 // 2 }} {{ 'ab' * 3 }}"));
    }

    @Test
    void textFilters() {
        assertEquals("3|&lt;a href=&#34;x&#34;&gt;&amp;&lt;/a&gt;", render("{{ 'one two  three' | wordcount }}|{{ '<a href=\"x\">&</a>' | escape }}"));
    }

    @Test
    void dictGlobal() {
        assertEquals("{\"a\": 1, \"b\": \"x\"}", render("{{ dict(a=1, b='x') | tojson }}"));
    }

    @Test
    void floatsPrintAsPythonRepr() {
        // Python repr: shortest round-trip digits, exponent below 1e-4 and from 1e16.
        assertEquals("1.0", Values.formatFloat(1));
        assertEquals("0.30000000000000004", Values.formatFloat(0.1 + 0.2));
        assertEquals("0.0001", Values.formatFloat(1e-4));
        assertEquals("1e-05", Values.formatFloat(1e-5));
        assertEquals("1e+16", Values.formatFloat(1e16));
        assertEquals("1234567890123456.0", Values.formatFloat(1234567890123456.0));
        assertEquals("-2.5e-07", Values.formatFloat(-2.5e-7));
        assertEquals("-0.0", Values.formatFloat(-0.0));
    }
}
