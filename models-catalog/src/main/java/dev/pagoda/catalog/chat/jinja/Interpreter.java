package dev.pagoda.catalog.chat.jinja;

import dev.pagoda.catalog.chat.jinja.Ast.Arg;
import dev.pagoda.catalog.chat.jinja.Ast.Expr;
import dev.pagoda.catalog.chat.jinja.Ast.Param;
import dev.pagoda.catalog.chat.jinja.Ast.Stmt;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Walks a parsed template. One instance serves one render (it holds no state between renders
 * beyond the scopes it is handed), so a compiled template may render on many threads at once.
 */
final class Interpreter {

    /** How a statement list ended: normally, or by {@code break}/{@code continue} inside a loop. */
    private enum Flow { NORMAL, BREAK, CONTINUE }

    String render(List<Stmt> program, Scope globals) {
        var out = new StringBuilder();
        try {
            if (exec(program, globals, out) != Flow.NORMAL) {
                throw new TemplateException("'break' or 'continue' outside a loop");
            }
        } catch (StackOverflowError e) {
            throw new TemplateException("template recursion too deep (a macro calling itself without end?)");
        }
        return out.toString();
    }

    // ---- statements

    private Flow exec(List<Stmt> body, Scope scope, StringBuilder out) {
        for (Stmt s : body) {
            Flow f = exec(s, scope, out);
            if (f != Flow.NORMAL) return f;
        }
        return Flow.NORMAL;
    }

    private Flow exec(Stmt s, Scope scope, StringBuilder out) {
        switch (s) {
            case Ast.Text t -> out.append(t.text());
            case Ast.Emit e -> {
                Value v = eval(e.expr(), scope);
                // The reference prints nothing for none and undefined.
                if (!(v instanceof Value.None) && !(v instanceof Value.Undefined)) out.append(Values.str(v));
            }
            case Ast.If i -> {
                return exec(eval(i.test(), scope).truthy() ? i.body() : i.orElse(), scope, out);
            }
            case Ast.For f -> execFor(f, scope, out);
            case Ast.Break b -> {
                return Flow.BREAK;
            }
            case Ast.Continue c -> {
                return Flow.CONTINUE;
            }
            case Ast.Set set -> execSet(set, scope);
            case Ast.Macro m -> scope.set(m.name(), macro(m.name(), m.params(), m.body(), scope));
            case Ast.CallBlock cb -> out.append(Values.str(callBlock(cb, scope)));
            case Ast.FilterBlock fb -> {
                var body = new StringBuilder();
                exec(fb.body(), scope, body);
                Arguments args = fb.args() == null ? Arguments.NONE : arguments(fb.args(), scope);
                out.append(Values.str(Filters.apply(fb.name(), Value.of(body.toString()), args)));
            }
        }
        return Flow.NORMAL;
    }

    private void execFor(Ast.For f, Scope outer, StringBuilder out) {
        Scope scope = new Scope(outer);
        List<Value> all = Values.iterate(eval(f.iterable(), scope), "for loop");
        List<Value> items = all;
        if (f.filter() != null) {
            items = new ArrayList<>();
            for (Value item : all) {
                Scope test = new Scope(scope);
                bindTarget(f.target(), item, test);
                if (eval(f.filter(), test).truthy()) items.add(item);
            }
        }
        if (items.isEmpty()) {
            exec(f.orElse(), scope, out);
            return;
        }
        int n = items.size();
        for (int i = 0; i < n; i++) {
            scope.set("loop", loopObject(items, i));
            bindTarget(f.target(), items.get(i), scope);
            if (exec(f.body(), scope, out) == Flow.BREAK) break;
        }
    }

    private static Value loopObject(List<Value> items, int i) {
        int n = items.size();
        var loop = new LinkedHashMap<String, Value>();
        loop.put("index", new Value.Int(i + 1));
        loop.put("index0", new Value.Int(i));
        loop.put("revindex", new Value.Int(n - i));
        loop.put("revindex0", new Value.Int(n - i - 1));
        loop.put("first", Value.of(i == 0));
        loop.put("last", Value.of(i == n - 1));
        loop.put("length", new Value.Int(n));
        loop.put("previtem", i > 0 ? items.get(i - 1) : Value.UNDEFINED);
        loop.put("nextitem", i < n - 1 ? items.get(i + 1) : Value.UNDEFINED);
        loop.put("depth", new Value.Int(1));
        loop.put("depth0", new Value.Int(0));
        loop.put("cycle", new Value.Callable("loop.cycle", args -> {
            if (args.positional().isEmpty()) throw new TemplateException("loop.cycle() needs at least one value");
            return args.positional().get(i % args.positional().size());
        }));
        return new Value.Dict(loop);
    }

    private void bindTarget(Expr target, Value value, Scope scope) {
        switch (target) {
            case Ast.Name n -> scope.set(n.name(), value);
            case Ast.TupleLiteral t -> {
                if (!(value instanceof Value.ListV l)) {
                    throw new TemplateException("cannot unpack " + value.typeName() + " into " + t.items().size() + " names");
                }
                if (l.items().size() != t.items().size()) {
                    throw new TemplateException("cannot unpack " + l.items().size() + " values into " + t.items().size() + " names");
                }
                for (int i = 0; i < t.items().size(); i++) {
                    if (!(t.items().get(i) instanceof Ast.Name n)) throw new TemplateException("can only unpack into names");
                    scope.set(n.name(), l.items().get(i));
                }
            }
            default -> throw new TemplateException("cannot assign to " + describe(target));
        }
    }

    private void execSet(Ast.Set set, Scope scope) {
        Value value;
        if (set.value() != null) {
            value = eval(set.value(), scope);
        } else {
            var body = new StringBuilder();
            exec(set.body(), scope, body);
            value = Value.of(body.toString());
        }
        if (set.target() instanceof Ast.Index idx) {
            Value object = eval(idx.object(), scope);
            if (!(object instanceof Value.Namespace ns)) {
                throw new TemplateException("cannot set an attribute on " + object.typeName() + " " + describe(idx.object())
                        + " (only on a namespace)");
            }
            if (!(eval(idx.key(), scope) instanceof Value.Str key)) throw new TemplateException("attribute name must be a string");
            ns.entries().put(key.value(), value);
            return;
        }
        bindTarget(set.target(), value, scope);
    }

    /** A macro closes over the scope it was defined in; {@code caller} arrives as a keyword argument. */
    private Value macro(String name, List<Param> params, List<Stmt> body, Scope definedIn) {
        return new Value.Callable(name, args -> {
            Scope scope = new Scope(definedIn);
            var keywords = new LinkedHashMap<>(args.keywords());
            Value caller = keywords.remove("caller");
            if (caller != null) scope.set("caller", caller);
            var pending = new ArrayList<Param>();
            for (int i = 0; i < params.size(); i++) {
                Param p = params.get(i);
                Value v = i < args.positional().size() ? args.positional().get(i) : keywords.remove(p.name());
                if (v == null && p.defaultValue() != null) pending.add(p);
                scope.set(p.name(), v == null ? Value.UNDEFINED : v);
            }
            List<Value> extra = args.positional().size() > params.size()
                    ? args.positional().subList(params.size(), args.positional().size())
                    : List.of();
            scope.set("varargs", new Value.ListV(extra));
            scope.set("kwargs", new Value.Dict(keywords));
            // Defaults see the other parameters, as in Jinja.
            for (Param p : pending) scope.set(p.name(), eval(p.defaultValue(), scope));
            var out = new StringBuilder();
            exec(body, scope, out);
            return Value.of(out.toString());
        });
    }

    private Value callBlock(Ast.CallBlock cb, Scope scope) {
        Value callee = eval(cb.call().callee(), scope);
        if (!(callee instanceof Value.Callable fn)) {
            throw new TemplateException("{% call %} of " + describe(cb.call().callee()) + ", which is " + callee.typeName()
                    + ", not a macro");
        }
        Value caller = macro("caller", cb.callerParams(), cb.body(), scope);
        Arguments args = arguments(cb.call().args(), scope);
        var keywords = new LinkedHashMap<>(args.keywords());
        keywords.put("caller", caller);
        return fn.body().call(new Arguments(args.positional(), keywords));
    }

    // ---- expressions

    Value eval(Expr e, Scope scope) {
        return switch (e) {
            case Ast.Literal l -> l.value();
            case Ast.Name n -> scope.lookup(n.name());
            case Ast.ListLiteral l -> new Value.ListV(evalAll(l.items(), scope));
            case Ast.TupleLiteral t -> new Value.ListV(evalAll(t.items(), scope));
            case Ast.DictLiteral d -> {
                var map = new LinkedHashMap<String, Value>();
                for (int i = 0; i < d.keys().size(); i++) {
                    if (!(eval(d.keys().get(i), scope) instanceof Value.Str key)) {
                        throw new TemplateException("dict keys must be strings");
                    }
                    map.put(key.value(), eval(d.values().get(i), scope));
                }
                yield new Value.Dict(map);
            }
            case Ast.Index i -> Members.get(eval(i.object(), scope), eval(i.key(), scope), () -> describe(i));
            case Ast.Slice s -> slice(s, scope);
            case Ast.Call c -> {
                Value callee = eval(c.callee(), scope);
                if (!(callee instanceof Value.Callable fn)) {
                    throw new TemplateException("cannot call " + describe(c.callee()) + ": it is " + callee.typeName()
                            + ", not a function");
                }
                yield fn.body().call(arguments(c.args(), scope));
            }
            case Ast.Filter f -> Filters.apply(f.name(), eval(f.operand(), scope),
                    f.args() == null ? Arguments.NONE : arguments(f.args(), scope));
            case Ast.Test t -> {
                boolean r = Tests.test(t.name(), eval(t.operand(), scope), arguments(t.args(), scope));
                yield Value.of(r != t.negate());
            }
            case Ast.Unary u -> unary(u.operator(), eval(u.operand(), scope));
            case Ast.Binary b -> binary(b, scope);
            case Ast.Conditional c -> {
                if (eval(c.condition(), scope).truthy()) yield eval(c.then(), scope);
                yield c.orElse() == null ? Value.UNDEFINED : eval(c.orElse(), scope);
            }
        };
    }

    private List<Value> evalAll(List<Expr> exprs, Scope scope) {
        var out = new ArrayList<Value>(exprs.size());
        for (Expr x : exprs) out.add(eval(x, scope));
        return out;
    }

    Arguments arguments(List<Arg> args, Scope scope) {
        var positional = new ArrayList<Value>();
        var keywords = new LinkedHashMap<String, Value>();
        for (Arg a : args) {
            switch (a) {
                case Ast.Positional p -> positional.add(eval(p.value(), scope));
                case Ast.Spread sp -> positional.addAll(Values.iterate(eval(sp.value(), scope), "*argument"));
                case Ast.Keyword k -> putKeyword(keywords, k.name(), eval(k.value(), scope));
                case Ast.KeywordSpread ks -> {
                    if (!(eval(ks.value(), scope) instanceof Value.Dict d)) throw new TemplateException("** needs a dict");
                    d.entries().forEach((k, v) -> putKeyword(keywords, k, v));
                }
            }
        }
        return new Arguments(positional, keywords);
    }

    private static void putKeyword(Map<String, Value> keywords, String name, Value v) {
        if (keywords.put(name, v) != null) throw new TemplateException("keyword argument '" + name + "' given twice");
    }

    private Value slice(Ast.Slice s, Scope scope) {
        Value object = eval(s.object(), scope);
        Long start = sliceBound(s.start(), scope), stop = sliceBound(s.stop(), scope), step = sliceBound(s.step(), scope);
        long st = step == null ? 1 : step;
        if (st == 0) throw new TemplateException("slice step cannot be zero");
        return switch (object) {
            case Value.ListV l -> new Value.ListV(Slices.slice(l.items(), start, stop, st));
            case Value.Str str -> {
                List<String> chars = str.value().codePoints().mapToObj(Character::toString).toList();
                yield Value.of(String.join("", Slices.slice(chars, start, stop, st)));
            }
            default -> throw new TemplateException("cannot slice " + object.typeName() + " " + describe(s.object()));
        };
    }

    private Long sliceBound(Expr e, Scope scope) {
        if (e == null) return null;
        Value v = eval(e, scope);
        if (v instanceof Value.None || v instanceof Value.Undefined) return null;
        if (!(v instanceof Value.Int i)) throw new TemplateException("slice indices must be integers, got " + v.typeName());
        return i.value();
    }

    private static Value unary(String op, Value v) {
        if (op.equals("not")) return Value.of(!v.truthy());
        return switch (v) {
            case Value.Int i -> new Value.Int(op.equals("-") ? -i.value() : i.value());
            case Value.Bool b -> new Value.Int((op.equals("-") ? -1 : 1) * (b.value() ? 1 : 0));
            case Value.Float f -> new Value.Float(op.equals("-") ? -f.value() : f.value());
            default -> throw new TemplateException("bad operand for unary " + op + ": " + v.typeName());
        };
    }

    private Value binary(Ast.Binary b, Scope scope) {
        Value left = eval(b.left(), scope);
        switch (b.operator()) {
            case "and" -> {
                return left.truthy() ? eval(b.right(), scope) : left;
            }
            case "or" -> {
                return left.truthy() ? left : eval(b.right(), scope);
            }
            default -> {
                Value right = eval(b.right(), scope);
                try {
                    return Operators.apply(b.operator(), left, right);
                } catch (TemplateException e) {
                    throw new TemplateException(e.getMessage() + " in " + describe(b));
                }
            }
        }
    }

    /** A short source-like rendering of an expression for error messages, e.g. {@code message.content}. */
    static String describe(Expr e) {
        return switch (e) {
            case Ast.Name n -> n.name();
            case Ast.Literal l -> l.value() instanceof Value.Str s ? "'" + s.value() + "'" : Values.str(l.value());
            case Ast.Index i -> i.key() instanceof Ast.Literal l && l.value() instanceof Value.Str s
                    ? describe(i.object()) + "." + s.value()
                    : describe(i.object()) + "[" + describe(i.key()) + "]";
            case Ast.Call c -> describe(c.callee()) + "(...)";
            case Ast.Filter f -> describe(f.operand()) + " | " + f.name();
            case Ast.Binary bin -> describe(bin.left()) + " " + bin.operator() + " " + describe(bin.right());
            case Ast.Slice s -> describe(s.object()) + "[...]";
            default -> "expression";
        };
    }
}
