package dev.pagoda.catalog.chat.jinja;

import dev.pagoda.catalog.chat.jinja.Ast.Arg;
import dev.pagoda.catalog.chat.jinja.Ast.Expr;
import dev.pagoda.catalog.chat.jinja.Ast.Param;
import dev.pagoda.catalog.chat.jinja.Ast.Stmt;
import dev.pagoda.catalog.chat.jinja.Token.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Recursive-descent parser with the grammar and operator precedence of {@code @huggingface/jinja}
 * (lowest first): conditional, or, and, not, comparison/in, additive, multiplicative, power, test
 * ({@code is}), filter ({@code |}), unary sign, call/member/primary. Where that reference rejects
 * Python Jinja syntax (test arguments such as {@code is divisibleby 3}) this parser accepts it.
 */
final class Parser {

    private static final Set<String> NOT_A_TEST_ARGUMENT = Set.of("and", "or", "else", "if", "in", "not", "is");

    private final SourceText source;
    private final List<Token> tokens;
    private int current;

    private Parser(SourceText source, List<Token> tokens) {
        this.source = source;
        this.tokens = tokens;
    }

    static List<Stmt> parse(SourceText source) {
        var p = new Parser(source, Lexer.tokenize(source));
        var body = new ArrayList<Stmt>();
        while (p.peek().type() != Type.END) body.add(p.parseAny());
        return List.copyOf(body);
    }

    // ---- token helpers

    private Token peek() {
        return tokens.get(current);
    }

    private Token peek(int ahead) {
        return tokens.get(Math.min(current + ahead, tokens.size() - 1));
    }

    private boolean is(Type t) {
        return peek().type() == t;
    }

    private Token next() {
        Token t = peek();
        if (t.type() != Type.END) current++;
        return t;
    }

    private Token expect(Type t, String what) {
        Token tok = peek();
        if (tok.type() != t) throw error(tok, "expected " + what + ", found " + describe(tok));
        current++;
        return tok;
    }

    private void expectWord(String word) {
        if (!peek().isWord(word)) throw error(peek(), "expected '" + word + "', found " + describe(peek()));
        current++;
    }

    private boolean isStatement(String... names) {
        if (!is(Type.OPEN_STATEMENT) || peek(1).type() != Type.IDENTIFIER) return false;
        for (String n : names) if (peek(1).text().equals(n)) return true;
        return false;
    }

    private TemplateSyntaxException error(Token at, String problem) {
        return source.error(at.offset(), problem);
    }

    private static String describe(Token t) {
        return switch (t.type()) {
            case END -> "end of template";
            case TEXT -> "text";
            case STRING -> "string '" + t.text() + "'";
            default -> "'" + t.text() + "'";
        };
    }

    /** Parses statements until one of {@code enders} opens, failing clearly at end of input. */
    private List<Stmt> block(Token opener, String... enders) {
        var body = new ArrayList<Stmt>();
        while (!isStatement(enders)) {
            if (is(Type.END)) {
                throw error(opener, "'{% " + opener.text() + " %}' is never closed (expected {% " + enders[enders.length - 1] + " %})");
            }
            body.add(parseAny());
        }
        return List.copyOf(body);
    }

    private void closeWith(String ender) {
        expect(Type.OPEN_STATEMENT, "'{%'");
        expectWord(ender);
        expect(Type.CLOSE_STATEMENT, "'%}'");
    }

    // ---- statements

    private Stmt parseAny() {
        Token t = peek();
        return switch (t.type()) {
            case COMMENT -> {
                current++;
                yield new Ast.Text("");
            }
            case TEXT -> {
                current++;
                yield new Ast.Text(t.text());
            }
            case OPEN_STATEMENT -> parseStatement();
            case OPEN_EXPRESSION -> {
                current++;
                Expr e = parseExpression();
                expect(Type.CLOSE_EXPRESSION, "'}}'");
                yield new Ast.Emit(e);
            }
            default -> throw error(t, "unexpected " + describe(t));
        };
    }

    private Stmt parseStatement() {
        expect(Type.OPEN_STATEMENT, "'{%'");
        Token name = peek();
        if (name.type() != Type.IDENTIFIER) throw error(name, "expected a statement name, found " + describe(name));
        current++;
        return switch (name.text()) {
            case "set" -> parseSet(name);
            case "if" -> {
                Stmt s = parseIf(name);
                closeWith("endif");
                yield s;
            }
            case "for" -> parseFor(name);
            case "macro" -> parseMacro(name);
            case "call" -> parseCallBlock(name);
            case "filter" -> parseFilterBlock(name);
            case "break" -> {
                expect(Type.CLOSE_STATEMENT, "'%}'");
                yield new Ast.Break();
            }
            case "continue" -> {
                expect(Type.CLOSE_STATEMENT, "'%}'");
                yield new Ast.Continue();
            }
            default -> throw error(name, "unsupported statement '" + name.text() + "'");
        };
    }

    private Stmt parseSet(Token opener) {
        Expr target = parseExpressionSequence(false);
        if (!(target instanceof Ast.Name || target instanceof Ast.TupleLiteral || target instanceof Ast.Index)) {
            throw error(opener, "cannot assign to this expression in {% set %}");
        }
        if (is(Type.EQUALS)) {
            current++;
            Expr value = parseExpressionSequence(false);
            expect(Type.CLOSE_STATEMENT, "'%}'");
            return new Ast.Set(target, value, List.of());
        }
        expect(Type.CLOSE_STATEMENT, "'=' or '%}'");
        List<Stmt> body = block(opener, "endset");
        closeWith("endset");
        return new Ast.Set(target, null, body);
    }

    private Stmt parseIf(Token opener) {
        Expr test = parseExpression();
        expect(Type.CLOSE_STATEMENT, "'%}'");
        List<Stmt> body = block(opener, "elif", "else", "endif");
        List<Stmt> orElse = List.of();
        if (isStatement("elif")) {
            current++;
            Token elif = next();
            orElse = List.of(parseIf(elif));
        } else if (isStatement("else")) {
            current += 2;
            expect(Type.CLOSE_STATEMENT, "'%}'");
            orElse = block(opener, "endif");
        }
        return new Ast.If(test, body, orElse);
    }

    private Stmt parseFor(Token opener) {
        Expr target = parseExpressionSequence(true);
        if (!(target instanceof Ast.Name || target instanceof Ast.TupleLiteral)) {
            throw error(opener, "expected a name or names for the loop variable");
        }
        expectWord("in");
        Expr iterable = parseExpression();
        Expr filter = null;
        if (iterable instanceof Ast.Conditional c && c.orElse() == null) {
            iterable = c.then();
            filter = c.condition();
        }
        if (peek().isWord("recursive")) throw error(peek(), "recursive loops are not supported");
        expect(Type.CLOSE_STATEMENT, "'%}'");
        List<Stmt> body = block(opener, "else", "endfor");
        List<Stmt> orElse = List.of();
        if (isStatement("else")) {
            current += 2;
            expect(Type.CLOSE_STATEMENT, "'%}'");
            orElse = block(opener, "endfor");
        }
        closeWith("endfor");
        return new Ast.For(target, iterable, filter, body, orElse);
    }

    private Stmt parseMacro(Token opener) {
        Token name = expect(Type.IDENTIFIER, "a macro name");
        List<Param> params = parseParams();
        expect(Type.CLOSE_STATEMENT, "'%}'");
        List<Stmt> body = block(opener, "endmacro");
        closeWith("endmacro");
        return new Ast.Macro(name.text(), params, body);
    }

    private Stmt parseCallBlock(Token opener) {
        List<Param> callerParams = is(Type.OPEN_PAREN) ? parseParams() : List.of();
        Token name = expect(Type.IDENTIFIER, "a macro name after 'call'");
        List<Arg> args = parseArgs();
        expect(Type.CLOSE_STATEMENT, "'%}'");
        List<Stmt> body = block(opener, "endcall");
        closeWith("endcall");
        return new Ast.CallBlock(new Ast.Call(new Ast.Name(name.text()), args), callerParams, body);
    }

    private Stmt parseFilterBlock(Token opener) {
        Token name = expect(Type.IDENTIFIER, "a filter name");
        List<Arg> args = is(Type.OPEN_PAREN) ? parseArgs() : null;
        expect(Type.CLOSE_STATEMENT, "'%}'");
        List<Stmt> body = block(opener, "endfilter");
        closeWith("endfilter");
        return new Ast.FilterBlock(name.text(), args, body);
    }

    private List<Param> parseParams() {
        expect(Type.OPEN_PAREN, "'('");
        var params = new ArrayList<Param>();
        var names = new java.util.HashSet<String>();
        boolean sawDefault = false;
        while (!is(Type.CLOSE_PAREN)) {
            Token name = expect(Type.IDENTIFIER, "a parameter name");
            Expr def = null;
            if (is(Type.EQUALS)) {
                current++;
                def = parseExpression();
                sawDefault = true;
            } else if (sawDefault) {
                throw error(name, "parameter '" + name.text() + "' without a default follows one with a default");
            }
            if (!names.add(name.text())) throw error(name, "duplicate parameter '" + name.text() + "'");
            params.add(new Param(name.text(), def));
            if (is(Type.COMMA)) current++;
            else if (!is(Type.CLOSE_PAREN)) throw error(peek(), "expected ',' or ')', found " + describe(peek()));
        }
        current++;
        return List.copyOf(params);
    }

    private List<Arg> parseArgs() {
        expect(Type.OPEN_PAREN, "'('");
        var args = new ArrayList<Arg>();
        boolean sawKeyword = false;
        while (!is(Type.CLOSE_PAREN)) {
            Token start = peek();
            if (start.type() == Type.POWER) {
                current++;
                args.add(new Ast.KeywordSpread(parseExpression()));
                sawKeyword = true;
            } else if (start.is(Type.MULTIPLICATIVE, "*")) {
                current++;
                args.add(new Ast.Spread(parseExpression()));
            } else if (start.type() == Type.IDENTIFIER && peek(1).type() == Type.EQUALS) {
                current += 2;
                args.add(new Ast.Keyword(start.text(), parseExpression()));
                sawKeyword = true;
            } else {
                if (sawKeyword) throw error(start, "positional argument follows keyword argument");
                args.add(new Ast.Positional(parseExpression()));
            }
            if (is(Type.COMMA)) current++;
            else if (!is(Type.CLOSE_PAREN)) throw error(peek(), "expected ',' or ')', found " + describe(peek()));
        }
        current++;
        return List.copyOf(args);
    }

    // ---- expressions

    private Expr parseExpressionSequence(boolean primaryOnly) {
        Expr first = primaryOnly ? parsePrimary() : parseExpression();
        if (!is(Type.COMMA)) return first;
        var items = new ArrayList<Expr>(List.of(first));
        while (is(Type.COMMA)) {
            current++;
            items.add(primaryOnly ? parsePrimary() : parseExpression());
        }
        return new Ast.TupleLiteral(List.copyOf(items));
    }

    Expr parseExpression() {
        Expr a = parseOr();
        if (peek().isWord("if")) {
            current++;
            Expr test = parseOr();
            if (peek().isWord("else")) {
                current++;
                return new Ast.Conditional(test, a, parseExpression());
            }
            return new Ast.Conditional(test, a, null);
        }
        return a;
    }

    private Expr parseOr() {
        Expr left = parseAnd();
        while (peek().isWord("or")) {
            current++;
            left = new Ast.Binary("or", left, parseAnd());
        }
        return left;
    }

    private Expr parseAnd() {
        Expr left = parseNot();
        while (peek().isWord("and")) {
            current++;
            left = new Ast.Binary("and", left, parseNot());
        }
        return left;
    }

    private Expr parseNot() {
        if (peek().isWord("not")) {
            current++;
            return new Ast.Unary("not", parseNot());
        }
        return parseComparison();
    }

    private Expr parseComparison() {
        Expr left = parseAdditive();
        while (true) {
            String op;
            if (peek().isWord("not") && peek(1).isWord("in")) {
                current += 2;
                op = "not in";
            } else if (peek().isWord("in")) {
                current++;
                op = "in";
            } else if (is(Type.COMPARISON)) {
                op = next().text();
            } else {
                return left;
            }
            left = new Ast.Binary(op, left, parseAdditive());
        }
    }

    private Expr parseAdditive() {
        Expr left = parseMultiplicative();
        while (is(Type.ADDITIVE)) {
            String op = next().text();
            left = new Ast.Binary(op, left, parseMultiplicative());
        }
        return left;
    }

    private Expr parseMultiplicative() {
        Expr left = parsePower();
        while (is(Type.MULTIPLICATIVE)) {
            String op = next().text();
            left = new Ast.Binary(op, left, parsePower());
        }
        return left;
    }

    private Expr parsePower() {
        Expr left = parseTest();
        while (is(Type.POWER)) {
            current++;
            left = new Ast.Binary("**", left, parseTest());
        }
        return left;
    }

    private Expr parseTest() {
        Expr operand = parseFilter();
        while (peek().isWord("is")) {
            current++;
            boolean negate = peek().isWord("not");
            if (negate) current++;
            Token name = expect(Type.IDENTIFIER, "a test name after 'is'");
            List<Arg> args = List.of();
            if (is(Type.OPEN_PAREN)) {
                args = parseArgs();
            } else if (startsTestArgument(peek())) {
                args = List.of(new Ast.Positional(parsePostfix(parsePrimary())));
            }
            operand = new Ast.Test(operand, negate, name.text(), args);
        }
        return operand;
    }

    /** Python Jinja lets one bare argument follow a test name: {@code x is divisibleby 3}. */
    private static boolean startsTestArgument(Token t) {
        return switch (t.type()) {
            case NUMBER, STRING, OPEN_BRACKET, OPEN_BRACE -> true;
            case IDENTIFIER -> !NOT_A_TEST_ARGUMENT.contains(t.text());
            default -> false;
        };
    }

    private Expr parseFilter() {
        Expr operand = parseUnarySign();
        while (is(Type.PIPE)) {
            current++;
            Token name = expect(Type.IDENTIFIER, "a filter name after '|'");
            List<Arg> args = is(Type.OPEN_PAREN) ? parseArgs() : null;
            operand = new Ast.Filter(operand, name.text(), args);
        }
        return operand;
    }

    private Expr parseUnarySign() {
        Token t = peek();
        if ((t.type() == Type.UNARY || t.type() == Type.ADDITIVE) && (t.text().equals("-") || t.text().equals("+"))) {
            current++;
            return new Ast.Unary(t.text(), parseUnarySign());
        }
        return parsePostfix(parsePrimary());
    }

    /** Member access, subscripts, slices and calls, in any order: {@code a.b[0](x).c}. */
    private Expr parsePostfix(Expr object) {
        while (true) {
            if (is(Type.DOT)) {
                current++;
                Token prop = next();
                if (prop.type() == Type.IDENTIFIER) {
                    object = new Ast.Index(object, new Ast.Literal(Value.of(prop.text())));
                } else if (prop.type() == Type.NUMBER && !prop.text().contains(".") && !prop.text().startsWith("-")) {
                    object = new Ast.Index(object, new Ast.Literal(new Value.Int(parseLong(prop))));
                } else {
                    throw error(prop, "expected a name or an integer after '.', found " + describe(prop));
                }
            } else if (is(Type.OPEN_BRACKET)) {
                object = parseSubscript(object);
            } else if (is(Type.OPEN_PAREN)) {
                object = new Ast.Call(object, parseArgs());
            } else {
                return object;
            }
        }
    }

    private Expr parseSubscript(Expr object) {
        Token open = next();
        var parts = new ArrayList<Expr>();
        boolean slice = false;
        while (!is(Type.CLOSE_BRACKET)) {
            if (is(Type.END)) throw error(open, "'[' is never closed");
            if (is(Type.COLON)) {
                parts.add(null);
                current++;
                slice = true;
            } else {
                parts.add(parseExpression());
                if (is(Type.COLON)) {
                    current++;
                    slice = true;
                } else if (!is(Type.CLOSE_BRACKET)) {
                    throw error(peek(), "expected ':' or ']', found " + describe(peek()));
                }
            }
        }
        current++;
        if (parts.isEmpty()) throw error(open, "empty subscript '[]'");
        if (!slice) {
            if (parts.size() != 1) throw error(open, "expected one subscript");
            return new Ast.Index(object, parts.getFirst());
        }
        // "a:" leaves a trailing empty part implicit; pad to start, stop, step.
        if (parts.size() > 3) throw error(open, "a slice takes at most three parts");
        while (parts.size() < 3) parts.add(null);
        return new Ast.Slice(object, parts.get(0), parts.get(1), parts.get(2));
    }

    private Expr parsePrimary() {
        Token t = next();
        switch (t.type()) {
            case NUMBER -> {
                if (t.text().contains(".")) return new Ast.Literal(new Value.Float(Double.parseDouble(t.text())));
                return new Ast.Literal(new Value.Int(parseLong(t)));
            }
            case STRING -> {
                var sb = new StringBuilder(t.text());
                while (is(Type.STRING)) sb.append(next().text());
                return new Ast.Literal(Value.of(sb.toString()));
            }
            case IDENTIFIER -> {
                return new Ast.Name(t.text());
            }
            case OPEN_PAREN -> {
                Expr e = parseExpressionSequence(false);
                expect(Type.CLOSE_PAREN, "')'");
                return e;
            }
            case OPEN_BRACKET -> {
                var items = new ArrayList<Expr>();
                while (!is(Type.CLOSE_BRACKET)) {
                    if (is(Type.END)) throw error(t, "'[' is never closed");
                    items.add(parseExpression());
                    if (is(Type.COMMA)) current++;
                    else if (!is(Type.CLOSE_BRACKET)) throw error(peek(), "expected ',' or ']', found " + describe(peek()));
                }
                current++;
                return new Ast.ListLiteral(List.copyOf(items));
            }
            case OPEN_BRACE -> {
                var keys = new ArrayList<Expr>();
                var values = new ArrayList<Expr>();
                while (!is(Type.CLOSE_BRACE)) {
                    if (is(Type.END)) throw error(t, "'{' is never closed");
                    keys.add(parseExpression());
                    expect(Type.COLON, "':' between key and value");
                    values.add(parseExpression());
                    if (is(Type.COMMA)) current++;
                    else if (!is(Type.CLOSE_BRACE)) throw error(peek(), "expected ',' or '}', found " + describe(peek()));
                }
                current++;
                return new Ast.DictLiteral(List.copyOf(keys), List.copyOf(values));
            }
            default -> throw error(t, "unexpected " + describe(t));
        }
    }

    private long parseLong(Token t) {
        try {
            return Long.parseLong(t.text());
        } catch (NumberFormatException e) {
            throw error(t, "integer literal out of range: " + t.text());
        }
    }
}
