"""Writes verdicts.json: for each grammar of this folder, strings and whether the Lark parser
(lark 1.3, Earley, lexer='dynamic_complete', i.e. terminals matched at every length, which is
the scannerless reading Pagoda's matcher has) accepts them as a whole.

GBNF grammars are given to Lark as the hand translations below (same rules, same terminals).
Candidate strings: random sentences of each language drawn by the generators below, their
one-character edits (insert, delete, replace) and cut-short prefixes.

Run with any Python that has lark:  python3 make_verdicts.py  (seeded: the output is stable).
"""
import json
import random
import string

from lark import Lark
from lark.exceptions import LarkError

TRANSLATIONS = {
    "arithmetic.gbnf": r"""
start: line+
line: name ws "=" ws expr "\n"
expr: term (ws /[-+]/ ws term)*
term: factor (ws /[*\/%]/ ws factor)*
factor: number | name | "(" ws expr ws ")" | "-" factor
name: /[a-z_]/ /[a-z0-9_]/~0..7
number: /[0-9]/~1..6 ("." /[0-9]/~1..3)?
ws: " "?
""",
    "json.gbnf": r"""
start: object
value: object | array | string | number | ("true" | "false" | "null") ws
object: "{" ws (string ":" ws value ("," ws string ":" ws value)*)? "}" ws
array: "[" ws (value ("," ws value)*)? "]" ws
string: "\"" (/[^"\\\x7f\x00-\x1f]/ | "\\" (/["\\\/bfnrt]/ | "u" /[0-9a-fA-F]/~4))* "\"" ws
number: ("-"? (/[0-9]/ | /[1-9]/ /[0-9]/~0..15)) ("." /[0-9]/+)? (/[eE]/ /[-+]/? /[0-9]/~1..3)? ws
ws: (" " | "\n" /[ \t]/~0..20)?
""",
    "list.gbnf": r"""
start: item~1..5
item: ("- " | "* ") /[^\r\n\x0b\x0c\x85\u2028\u2029]/+ "\n"
""",
}


def gen_arithmetic(r):
    def name():
        return r.choice("abxyz_") + "".join(r.choice("abc09_") for _ in range(r.randint(0, 3)))

    def factor(d):
        k = r.randint(0, 5 if d < 3 else 1)
        if k == 0:
            return str(r.randint(0, 9999)) + (("." + str(r.randint(0, 99))) if r.random() < 0.3 else "")
        if k == 1:
            return name()
        if k == 2:
            return "-" + factor(d + 1)
        return "(" + sp() + expr(d + 1) + sp() + ")"

    def sp():
        return " " if r.random() < 0.5 else ""

    def term(d):
        return (sp() + r.choice("*/%") + sp()).join(factor(d) for _ in range(r.randint(1, 3)))

    def expr(d):
        return (sp() + r.choice("+-") + sp()).join(term(d) for _ in range(r.randint(1, 3)))

    return "".join(name() + sp() + "=" + sp() + expr(0) + "\n" for _ in range(r.randint(1, 3)))


def json_value(r, d, spaced):
    def ws():
        return r.choice(["", "", " ", "\n  "]) if spaced else ""

    k = r.randint(0, 6 if d < 3 else 3)
    if k == 0:
        return json.dumps(r.choice(["a", "b c", "é", "q\"uote", "tab\t", "\\", "😀"]), ensure_ascii=r.random() < 0.3)
    if k == 1:
        return str(r.choice([0, -1, 42, 3.5, -0.25, 12345678, 1e5]))
    if k == 2:
        return r.choice(["true", "false", "null"])
    if k == 3:
        return "[" + ws() + ("," + ws()).join(json_value(r, d + 1, spaced) + ws() for _ in range(r.randint(0, 3))) + "]"
    keys = [json.dumps(r.choice(["k", "id", "name", "ü"])) for _ in range(r.randint(0, 3))]
    return "{" + ws() + ("," + ws()).join(k + ":" + ws() + json_value(r, d + 1, spaced) + ws() for k in keys) + "}"


def gen_json_gbnf(r):
    # the GBNF puts whitespace after values, not before a comma: draw in that layout
    v = json_value(r, 1, False)
    while not v.startswith("{"):
        v = json_value(r, 1, False)
    return v


def gen_json_lark(r):
    return json_value(r, 0, True)


def gen_list(r):
    return "".join(r.choice(["- ", "* "]) + "".join(r.choice("ab é😀\t") for _ in range(r.randint(1, 6))) + "\n"
                   for _ in range(r.randint(1, 6)))


def gen_calc(r):
    def atom(d):
        k = r.randint(0, 3 if d < 3 else 1)
        if k == 0:
            return r.choice(["1", "2.5", "10", "3e2", ".5", "7E-1"])
        if k == 1:
            return r.choice(["x", "ab"])
        if k == 2:
            return "-" + atom(d + 1)
        return "(" + s(d + 1) + ")"

    def p(d):
        return (" " * r.randint(0, 1) + r.choice("*/") + " " * r.randint(0, 1)).join(atom(d) for _ in range(r.randint(1, 3)))

    def s(d):
        return (" " * r.randint(0, 2) + r.choice("+-") + " " * r.randint(0, 1)).join(p(d) for _ in range(r.randint(1, 3)))

    return " " * r.randint(0, 1) + s(0) + " " * r.randint(0, 1)


def gen_query(r):
    kw = lambda w: "".join(c.upper() if r.random() < 0.3 else c for c in w)
    ident = lambda: r.choice(["a", "name", "x_1", "_t"])
    cols = "*" if r.random() < 0.3 else ", ".join(ident() for _ in range(r.randint(1, 3)))
    q = kw("select") + " " + cols + " " + kw("from") + " " + ident()
    if r.random() < 0.5:
        cond = lambda: ident() + " " + r.choice(["=", "<", ">=", "!="]) + " " + r.choice(["7", "42", "'it'", "''"])
        q += " " + kw("where") + " " + (" " + kw("and") + " ").join(cond() for _ in range(r.randint(1, 2)))
    if r.random() < 0.4:
        q += " " + kw("limit") + " " + str(r.randint(0, 999))
    return q


GRAMMARS = {
    "arithmetic.gbnf": gen_arithmetic,
    "json.gbnf": gen_json_gbnf,
    "list.gbnf": gen_list,
    "calc.lark": gen_calc,
    "json.lark": gen_json_lark,
    "query.lark": gen_query,
}

NOISE = list(string.ascii_letters[:6]) + list("0189 \n\t-+*/()[]{}\",:'=._") + ["é", "😀"]


def edits(r, s):
    out = []
    for _ in range(3):
        i = r.randint(0, len(s))
        k = r.randint(0, 2)
        if k == 0:
            out.append(s[:i] + r.choice(NOISE) + s[i:])
        elif k == 1 and s:
            i = min(i, len(s) - 1)
            out.append(s[:i] + s[i + 1:])
        elif s:
            i = min(i, len(s) - 1)
            out.append(s[:i] + r.choice(NOISE) + s[i + 1:])
    out.append(s[: r.randint(0, len(s))])
    return out


def main():
    verdicts = {}
    for name, gen in GRAMMARS.items():
        text = TRANSLATIONS.get(name) or open(name, encoding="utf-8").read()
        parser = Lark(text, parser="earley", lexer="dynamic_complete", start="start")
        r = random.Random(name)
        candidates = []
        for _ in range(60):
            s = gen(r)
            candidates.append(s)
            candidates.extend(edits(r, s))
        cases = []
        seen = set()
        for s in candidates:
            if s in seen:
                continue
            seen.add(s)
            try:
                parser.parse(s)
                ok = True
            except LarkError:
                ok = False
            cases.append([s, ok])
        verdicts[name] = cases
        print(name, len(cases), "strings,", sum(1 for _, ok in cases if ok), "accepted")
    with open("verdicts.json", "w", encoding="utf-8") as f:
        json.dump(verdicts, f, ensure_ascii=False, indent=0)
        f.write("\n")


if __name__ == "__main__":
    main()
