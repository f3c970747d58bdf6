package dev.pagoda.catalog.chat.jinja;

import java.util.List;

/**
 * The syntax tree of a template: statements (what a template does) and expressions (what it
 * computes). Every node is an immutable record, so one parsed tree serves concurrent renders.
 */
final class Ast {

    private Ast() {}

    sealed interface Stmt {}

    /** Literal text between tags. */
    record Text(String text) implements Stmt {}

    /** {@code {{ expr }}}. */
    record Emit(Expr expr) implements Stmt {}

    record If(Expr test, List<Stmt> body, List<Stmt> orElse) implements Stmt {}

    /** {@code {% for target in iterable if filter %}body{% else %}orElse{% endfor %}}; filter may be null. */
    record For(Expr target, Expr iterable, Expr filter, List<Stmt> body, List<Stmt> orElse) implements Stmt {}

    record Break() implements Stmt {}

    record Continue() implements Stmt {}

    /** {@code {% set target = value %}}, or the block form (value null) capturing its rendered body. */
    record Set(Expr target, Expr value, List<Stmt> body) implements Stmt {}

    record Macro(String name, List<Param> params, List<Stmt> body) implements Stmt {}

    /** {@code {% call(callerParams) macro(args) %}body{% endcall %}}: body becomes {@code caller()}. */
    record CallBlock(Call call, List<Param> callerParams, List<Stmt> body) implements Stmt {}

    /** {@code {% filter name(args) %}body{% endfilter %}}; args is null when the filter is not called. */
    record FilterBlock(String name, List<Arg> args, List<Stmt> body) implements Stmt {}

    /** A macro parameter; defaultValue is null when the parameter has none. */
    record Param(String name, Expr defaultValue) {}

    sealed interface Arg {}

    record Positional(Expr value) implements Arg {}

    record Keyword(String name, Expr value) implements Arg {}

    /** {@code *list} in a call. */
    record Spread(Expr value) implements Arg {}

    /** {@code **dict} in a call. */
    record KeywordSpread(Expr value) implements Arg {}

    sealed interface Expr {}

    /** A string, integer or float literal (immutable values only). */
    record Literal(Value value) implements Expr {}

    record ListLiteral(List<Expr> items) implements Expr {}

    record TupleLiteral(List<Expr> items) implements Expr {}

    record DictLiteral(List<Expr> keys, List<Expr> values) implements Expr {}

    record Name(String name) implements Expr {}

    /** {@code object.name}, {@code object[key]} and {@code object.0} alike. */
    record Index(Expr object, Expr key) implements Expr {}

    /** {@code object[start:stop:step]}; absent parts are null. */
    record Slice(Expr object, Expr start, Expr stop, Expr step) implements Expr {}

    record Call(Expr callee, List<Arg> args) implements Expr {}

    /** {@code operand | name(args)}; args is null when the filter is not called. */
    record Filter(Expr operand, String name, List<Arg> args) implements Expr {}

    /** {@code operand is [not] name(args)}. */
    record Test(Expr operand, boolean negate, String name, List<Arg> args) implements Expr {}

    record Unary(String operator, Expr operand) implements Expr {}

    record Binary(String operator, Expr left, Expr right) implements Expr {}

    /** {@code then if condition else orElse}; orElse null means undefined when the condition fails. */
    record Conditional(Expr condition, Expr then, Expr orElse) implements Expr {}
}
