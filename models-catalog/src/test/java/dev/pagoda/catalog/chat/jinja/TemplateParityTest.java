package dev.pagoda.catalog.chat.jinja;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.catalog.chat.jinja.HfJinja.Case;
import dev.pagoda.catalog.chat.jinja.HfJinja.Result;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A battery of small templates, each rendered here and by {@code @huggingface/jinja} (one batched node
 * run for the whole class); every output must be identical, and where the reference fails so must we.
 */
class TemplateParityTest {

    private static final String XS = "{\"xs\": [1, 2, 3, 4, 5]}";
    private static final String DICT = "{\"d\": {\"b\": 1, \"a\": 2, \"c\": 3}}";
    private static final String USERS = """
            {"users": [{"name": "ann", "admin": true, "age": 31}, {"name": "bob", "admin": false, "age": 25},
                       {"name": "cy", "admin": true, "age": 40}]}""";
    private static final String NESTED = """
            {"data": {"name": "Zoë", "emoji": "😀 ok", "list": [1, 2.5, true, null, "a\\"b\\\\c\\nd\\u0001"],
                      "nested": {"k": [], "e": {}}, "cjk": "中文", "sep": "x\\u2028y"}}""";

    private static final List<Case> CASES = List.of(
            c("Hello {{ name }}!", "{\"name\": \"world\"}"),
            c("  {% if x %}\n  yes\n  {% endif %}\nend\n", "{\"x\": true}"),
            c("a  {%- if x -%}  b  {%- endif -%}  c", "{\"x\": true}"),
            c("{{- ' a ' -}}  {# note #}  {{ 'b' }}", "{}"),
            c("x  {#- comment -#}  y {# keep #} z", "{}"),
            c("a\n  {%- for x in xs %}\n    {{ x }}\n  {%- endfor %}\nb", XS),
            c("{% if true %}\nX\n{% endif %}\nY\n\n", "{}"),
            c("{{ 1 + 2 * 3 }} {{ 7 // 2 }} {{ 7 % 3 }} {{ 2 ** 10 }} {{ 7 / 2 }} {{ 1.5 + 1 }} {{ 10 / 5 }} {{ -3 + 1 }} {{ 2 * -1 }}", "{}"),
            c("{{ 1 < 2 and 'a' in 'abc' }} {{ not true }} {{ 3 in [1,2,3] }} {{ 'x' not in {'x': 1} }} {{ none or 'd' }} {{ 0 and 1 }} {{ 2 >= 2 }}", "{}"),
            c("{{ 'yes' if x else 'no' }}|{{ 'a' if false }}|{{ 'p' if x is defined else 'q' if y else 'r' }}", "{\"x\": 0}"),
            c("{{ 'a' ~ 1 ~ 'b' }} {{ 'n=' + 5 }} {{ 'x' + 'y' }}", "{}"),
            c("{{ xs[1:3] }} {{ xs[::-1] }} {{ xs[-2:] }} {{ s[::2] }} {{ s[1:-1] }} {{ xs[::-2] }} {{ xs[4:1:-1] }} {{ xs[:2] }} {{ xs[10:] }}",
                    "{\"xs\": [1, 2, 3, 4, 5], \"s\": \"abcdef\"}"),
            c("{% for x in xs %}{{ loop.index }}/{{ loop.index0 }}/{{ loop.revindex }}/{{ loop.revindex0 }}/{{ loop.first }}/{{ loop.last }}/{{ loop.length }};{% endfor %}", XS),
            c("{% for x in xs %}{{ loop.previtem }}-{{ x }}-{{ loop.nextitem }} {% endfor %}", XS),
            c("{% for x in xs if x > 2 %}{{ x }}{{ loop.index }}{% else %}none{% endfor %}|{% for x in [] %}{{ x }}{% else %}empty{% endfor %}", XS),
            c("{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}|{% for k in d %}{{ k }}{% endfor %}", DICT),
            c("{% for x in xs %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 4 %}{% break %}{% endif %}{{ x }}{% endfor %}", XS),
            c("{% set a = 1 %}{% for x in xs %}{% set a = x %}{% endfor %}{{ a }}", XS),
            c("{% set ns = namespace(total=0, found=false) %}{% for x in xs %}{% set ns.total = ns.total + x %}{% if x == 3 %}{% set ns.found = true %}{% endif %}{% endfor %}{{ ns.total }} {{ ns.found }}", XS),
            c("{% set ns = namespace(last=xs|length - 1, name='a' ~ 'b') %}{{ ns.last }}{{ ns.name }}", XS),
            c("{% set body %}Hello {{ name }}{% endset %}[{{ body | upper }}]", "{\"name\": \"you\"}"),
            c("{% set a, b = 1, 2 %}{{ a }}{{ b }}{% set t = (3, 4) %}{{ t[1] }}{{ t | length }}", "{}"),
            c("{% macro greet(name, greeting='Hi') %}{{ greeting }}, {{ name }}!{% endmacro %}{{ greet('A') }} {{ greet('B', greeting='Yo') }} {{ greet(name='C') }}", "{}"),
            c("{% macro wrap(tag) %}<{{ tag }}>{{ caller() }}</{{ tag }}>{% endmacro %}{% call wrap('b') %}bold {{ name }}{% endcall %}", "{\"name\": \"me\"}"),
            c("{% filter upper %}abc {{ name }}{% endfilter %}", "{\"name\": \"x\"}"),
            c("{{ '  hi  ' | trim }}|{{ 'abc' | upper }}|{{ 'ABC' | lower }}|{{ 'hello wORLD' | title }}|{{ 'hELLO' | capitalize }}|{{ 'abc' | length }}", "{}"),
            c("{{ xs | first }} {{ xs | last }} {{ xs | length }} {{ xs | reverse }} {{ xs | join(',') }} {{ ['b','A','c'] | sort }} {{ [3,1,2] | sort(reverse=true) }} {{ [1,1,2,1] | unique }} {{ xs | join }}", XS),
            c("{{ users | sort(attribute='age') | map(attribute='name') | join(',') }} {{ ['b','B','a'] | sort(case_sensitive=true) }}", USERS),
            c("{{ data | tojson }}", NESTED),
            c("{{ data | tojson(indent=2) }}", NESTED),
            c("{{ data | tojson(separators=(',', ':'), sort_keys=true) }}|{{ data | tojson(ensure_ascii=true) }}", NESTED),
            c("{{ data }}|{{ data.list }}", NESTED),
            c("{{ users | map(attribute='name') | join(', ') }}|{{ users | selectattr('admin') | map(attribute='name') | list }}|{{ users | rejectattr('admin') | map(attribute='name') | join }}|{{ users | selectattr('name', 'equalto', 'bob') | length }}", USERS),
            c("{{ d | items }}|{{ d | dictsort }}|{{ d.keys() | list }}|{{ d.values() | list }}|{{ d.get('zz', 'dflt') }}|{{ d.get('a') }}|{{ d.get('zz') }}|{{ d | length }}", DICT),
            c("{{ missing | default('x') }}|{{ '' | default('y', true) }}|{{ '' | default('z') }}|{{ none | default('w', true) }}|{{ 5 | default(6) }}", "{}"),
            c("{{ '42' | int + 1 }}|{{ '3.5' | float }}|{{ 3 | string }}|{{ -5 | abs }}|{{ 2.0 | int }}|{{ 7 | float }}|{{ 'x' | int }}|{{ true | int }}", "{}"),
            c("{{ x is defined }} {{ y is undefined }} {{ n is none }} {{ 's' is string }} {{ 1 is number }} {{ 1 is integer }} {{ d is mapping }} {{ xs is iterable }} {{ xs is sequence }} {{ true is boolean }} {{ 3 is odd }} {{ 4 is even }} {{ x is not none }} {{ namespace is callable }} {{ true is true }} {{ 1 is false }} {{ 'abc' is lower }} {{ 'Abc' is upper }}",
                    "{\"x\": 1, \"n\": null, \"d\": {}, \"xs\": []}"),
            c("{{ s.startswith('He') }} {{ s.endswith(('x','ld')) }} {{ s.split(' ') }} {{ s.split() }} {{ s.replace('l', 'L') }} {{ s.upper() }} {{ '  x  '.strip() }}|{{ '  x  '.lstrip() }}|{{ '  x  '.rstrip() }}| {{ 'a,b,c'.split(',', 1) }} {{ s.lower() }} {{ s.title() }} {{ 'a  b '.split(none, 1) }} {{ s.length }}",
                    "{\"s\": \"Hello world\"}"),
            c("{{ [1,2] + [3] }} {{ xs | length > 3 }} {{ (xs | length) - 1 }} {{ xs[-1] }} {{ xs[10] }}|{{ xs.0 }}", XS),
            c("{{ msg['content'][0]['text'] }} {{ msg.content[0].text }} {{ msg.missing.deeper }}|{{ msg.content[0]['type'] == 'text' }}",
                    "{\"msg\": {\"content\": [{\"type\": \"text\", \"text\": \"hi\"}]}}"),
            c("{% for m in messages %}{% if m.content is string %}{{ m.content }}{% else %}{% for p in m.content %}{% if p.type == 'text' %}[{{ p.text }}]{% endif %}{% endfor %}{% endif %}\n{% endfor %}",
                    "{\"messages\": [{\"content\": \"plain\"}, {\"content\": [{\"type\": \"text\", \"text\": \"a\"}, {\"type\": \"image\"}, {\"type\": \"text\", \"text\": \"b\"}]}]}"),
            c("{%- if tools %}\n    {{- 'T:' }}\n    {%- for t in tools %}\n        {{- '\\n' + t.name }}\n    {%- endfor %}\n{%- endif %}\n{{- '\\nend' }}\n",
                    "{\"tools\": [{\"name\": \"a\"}, {\"name\": \"b\"}]}"),
            c("{% for i in range(3) %}{{ i }}{% endfor %}|{% for i in range(1, 10, 3) %}{{ i }}{% endfor %}|{{ range(5, 0, -2) | list }}", "{}"),
            c("{{ s | upper }} {{ s | length }} {{ s[0] }} {{ s[::-1] }} {{ s | title }} {{ s.split(' ') }} {{ s ~ '!' }}", "{\"s\": \"héllo wörld 中文 Ωmega\"}"),
            c("{{ 1 }} {{ 1.0 }} {{ 2.50 }} {{ true }} {{ none }} {{ [1, 'a', none, true] }} {{ {'a': 1, 'b': [1, 2]} }}| {{ 0.1 + 0.2 }} {{ 1e3 if false else 3.25 }}", "{}"),
            c("{{ 'a\\nb\\t\"c\"' }} {{ \"it's\" }} {{ '\\u00e9\\x41' }} {{ 'con' 'cat' }}", "{}"),
            c("{{ text | indent(2) }}|{{ text | indent(4, true) }}|{{ text | indent }}|{{ text | indent(2, true, true) }}", "{\"text\": \"a\\nb\\n\\nc\"}"),
            c("{{ 'aaa' | replace('a', 'b') }}|{{ 'aaa' | replace('a', 'b', 2) }}|{{ 'a.b' | replace('.', '') }}", "{}"),
            c("{% for x in xs %}{% if x == 1 %}one{% elif x == 2 %}two{% elif x == 3 %}three{% else %}many{% endif %} {% endfor %}", XS),
            c("{{ not x is defined }} {{ x is defined and y is not defined }} {{ not (x == 1) }} {{ not x == 2 }}", "{\"x\": 1}"),
            c("{% for a in [1,2] %}{% set outer = loop.index %}{% for b in ['x','y'] %}{{ outer }}{{ b }}{{ loop.index }} {% endfor %}{% endfor %}", "{}"),
            c("{{ 'a' == 'a' }} {{ 1 == 1.0 }} {{ 'a' != 'b' }} {{ none == none }} {{ x == none }}", "{\"x\": null}"),
            c("{% set d2 = {'k': 'v', 'n': {'m': 1}} %}{{ d2.k }}{{ d2['n']['m'] }}{{ d2 | length }}{{ d2.n }}", "{}"),
            c("pre {% generation %}in{% endgeneration %} post\n  {%- generation -%}  x  {%- endgeneration %}", "{}"),
            c("{{ messages[0]['role'] == 'system' }} {{ (messages | length) % 2 == 0 }} {{ messages[1:] | length }} {{ messages[-1].content | trim }}",
                    "{\"messages\": [{\"role\": \"system\", \"content\": \"s\"}, {\"role\": \"user\", \"content\": \" u \"}]}"),
            c("{{ x | tojson }} {{ 'it\\'s \"q\"' | tojson }} {{ [] | tojson }} {{ {} | tojson(indent=2) }} {{ 3 | tojson }} {{ none | tojson }}", "{\"x\": {\"a\": [1, {\"b\": null}]}}"),
            c("{% macro m(a, b=a ~ '!') %}{{ a }}{{ b }}{% endmacro %}{{ m('x') }}{{ m('y', 'z') }}", "{}"),
            c("{{ content.split('</think>')[-1].lstrip() }}|{{ content.split('</think>')[0].split('<think>')[-1] }}",
                    "{\"content\": \"<think>\\nreason\\n</think>\\n\\nanswer\"}"),
            c("{{ {'a': {'b': 1}} }}|{{ {'a': {'b': 1}}['a']['b'] }}|{{ {'k': [1, {'z': 'q'}]}.k[1].z }}", "{}"),
            c("{% macro m(a) %}{{ a }}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m(1, 2, 3, k=4) }}", "{}"),
            c("{% macro each(items) %}{% for i in items %}{{ caller(i) }}{% endfor %}{% endmacro %}{% call(x) each([1, 2]) %}<{{ x }}>{% endcall %}", "{}"),
            c("{% filter replace('a', 'b') %}aaa{{ s }}{% endfilter %}|{% filter trim %}  padded  {% endfilter %}", "{\"s\": \"a\"}"),
            c("{{ range(*[1, 4]) | list }}|{{ dict_args.get(**{'key': 'a'}) if false else 'skip' }}", "{\"dict_args\": {}}"),
            c("{% for m in messages[::-1] %}{{ (messages | length - 1) - loop.index0 }}:{{ m }} {% endfor %}", "{\"messages\": [\"a\", \"b\", \"c\"]}"),
            c("{% set ns = namespace(found=false) %}{% for m in messages %}{% if not ns.found and m == 'b' %}{% set ns.found = true %}[{{ loop.index }}]{% endif %}{% endfor %}{{ ns.found }}", "{\"messages\": [\"a\", \"b\", \"b\"]}"),
            c("{{ content | selectattr('type', 'equalto', 'text') | map(attribute='text') | join('\\n') }}",
                    "{\"content\": [{\"type\": \"text\", \"text\": \"one\"}, {\"type\": \"image\"}, {\"type\": \"text\", \"text\": \"two\"}]}"),
            c("{{ (1, 2) | length }} {{ [3, 1] | first }}", "{}"),
            c("{{ x | nosuchfilter }}", "{\"x\": 1}"),
            c("{{ 1 + }}", "{}"),
            c("{% if x %}never closed", "{\"x\": 1}"),
            c("{{ f() }}", "{}"));

    private static Case c(String template, String variablesJson) {
        return new Case(template, HfJinja.vars(variablesJson));
    }

    @Test
    void everyTemplateRendersExactlyAsHuggingfaceJinja() {
        List<Result> expected = HfJinja.renderAll(CASES);
        var failures = new ArrayList<String>();
        for (int i = 0; i < CASES.size(); i++) {
            Case c = CASES.get(i);
            Result want = expected.get(i);
            String got;
            String error = null;
            try {
                got = Template.parse(c.template()).render(c.variables());
            } catch (TemplateException e) {
                got = null;
                error = e.getMessage();
            }
            if (want.failed()) {
                if (error == null) failures.add("#" + i + " " + c.template() + "\n  reference failed (" + want.error() + ") but we rendered: " + got);
            } else if (error != null) {
                failures.add("#" + i + " " + c.template() + "\n  reference: " + want.output() + "\n  we failed: " + error);
            } else if (!want.output().equals(got)) {
                failures.add("#" + i + " " + c.template() + "\n  reference: " + want.output() + "\n  ours:      " + got);
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " of " + CASES.size() + " templates differ:\n" + String.join("\n", failures));
    }
}
