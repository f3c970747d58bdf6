package dev.pagoda.catalog.chat.jinja;

import dev.pagoda.catalog.chat.jinja.Ast.Stmt;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed Jinja template, rendered with the whitespace rules transformers uses for chat templates
 * (trim_blocks and lstrip_blocks on, one trailing newline dropped). Immutable: parse once, then
 * render from any number of threads.
 */
public final class Template {

    /** Keeps {@code range(10**12)} from exhausting memory. */
    private static final long MAX_RANGE = 1 << 24;

    private final List<Stmt> program;

    private Template(List<Stmt> program) {
        this.program = program;
    }

    /** @throws TemplateSyntaxException naming the line and column of the first problem */
    public static Template parse(String source) {
        return new Template(Parser.parse(SourceText.preprocess(source)));
    }

    /**
     * Renders with {@code variables} (Java data as {@link Values#fromJava} takes it, or {@link Value}s,
     * e.g. {@link Value.Callable} globals) on top of the built-ins {@code true}/{@code false}/{@code none}
     * (and their Python spellings), {@code namespace}, {@code range} and {@code dict}.
     *
     * @throws TemplateException when rendering fails; exceptions thrown by a callable variable pass through
     */
    public String render(Map<String, ?> variables) {
        Scope builtins = new Scope(null);
        builtins(builtins);
        Scope globals = new Scope(builtins);
        variables.forEach((k, v) -> globals.set(k, Values.fromJava(v)));
        return new Interpreter().render(program, globals);
    }

    private static void builtins(Scope s) {
        s.set("true", Value.TRUE);
        s.set("false", Value.FALSE);
        s.set("none", Value.NONE);
        s.set("True", Value.TRUE);
        s.set("False", Value.FALSE);
        s.set("None", Value.NONE);
        s.set("namespace", new Value.Callable("namespace", Template::namespace));
        s.set("range", new Value.Callable("range", Template::range));
        s.set("dict", new Value.Callable("dict", Template::dict));
    }

    private static Value namespace(Arguments args) {
        var entries = new LinkedHashMap<String, Value>();
        if (args.positional().size() > 1) throw new TemplateException("namespace() takes at most one positional argument");
        if (!args.positional().isEmpty()) entries.putAll(pairs(args.positional().getFirst(), "namespace()"));
        entries.putAll(args.keywords());
        return new Value.Namespace(entries);
    }

    private static Value dict(Arguments args) {
        var entries = new LinkedHashMap<String, Value>();
        if (args.positional().size() > 1) throw new TemplateException("dict() takes at most one positional argument");
        if (!args.positional().isEmpty()) entries.putAll(pairs(args.positional().getFirst(), "dict()"));
        entries.putAll(args.keywords());
        return new Value.Dict(entries);
    }

    private static Map<String, Value> pairs(Value source, String what) {
        if (source instanceof Value.Dict d) return d.entries();
        if (source instanceof Value.Namespace n) return n.entries();
        var out = new LinkedHashMap<String, Value>();
        for (Value pair : Values.iterate(source, what)) {
            if (!(pair instanceof Value.ListV l) || l.items().size() != 2 || !(l.items().get(0) instanceof Value.Str k)) {
                throw new TemplateException(what + " expects a dict or a list of [key, value] pairs with string keys");
            }
            out.put(k.value(), l.items().get(1));
        }
        return out;
    }

    private static Value range(Arguments args) {
        List<Value> p = args.positional();
        if (p.isEmpty() || p.size() > 3) throw new TemplateException("range() takes 1 to 3 integer arguments");
        long start = p.size() == 1 ? 0 : Values.toLong(p.get(0));
        long stop = Values.toLong(p.size() == 1 ? p.get(0) : p.get(1));
        long step = p.size() == 3 ? Values.toLong(p.get(2)) : 1;
        if (step == 0) throw new TemplateException("range() step must not be zero");
        double count = Math.max(0, Math.ceil(((double) stop - start) / step));
        if (count > MAX_RANGE) throw new TemplateException("range() too large: " + (long) count + " items");
        var out = new ArrayList<Value>((int) count);
        for (long i = start; step > 0 ? i < stop : i > stop; i += step) out.add(new Value.Int(i));
        return new Value.ListV(out);
    }
}
