package dev.pagoda.engine.structured.grammar;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Named rules over bytes and the rule a whole output must match. Every {@link Expr.Ref} names a
 * rule of the grammar (checked here, with the name in the message).
 *
 * @param root  the rule the whole output matches
 * @param rules name → body, in definition order
 */
public record Grammar(String root, Map<String, Expr> rules) {

    public Grammar {
        rules = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(rules));
        if (!rules.containsKey(root)) throw new GrammarException("the grammar has no rule \"" + root + "\" to start from");
        for (Map.Entry<String, Expr> e : rules.entrySet()) checkRefs(e.getKey(), e.getValue(), rules);
    }

    /** A grammar of one rule. */
    public static Grammar of(Expr body) {
        return new Grammar("root", Map.of("root", body));
    }

    private static void checkRefs(String rule, Expr body, Map<String, Expr> rules) {
        Deque<Expr> todo = new ArrayDeque<>();
        todo.push(body);
        while (!todo.isEmpty()) {
            switch (todo.pop()) {
                case Expr.Ref r -> {
                    if (!rules.containsKey(r.rule())) throw new GrammarException("rule \"" + rule + "\" refers to undefined rule \"" + r.rule() + "\"");
                }
                case Expr.Seq s -> s.items().forEach(todo::push);
                case Expr.Alt a -> a.options().forEach(todo::push);
                case Expr.Repeat r -> todo.push(r.item());
                case Expr.Minus m -> {
                    todo.push(m.expr());
                    todo.push(m.excluded());
                }
                case Expr.Bytes b -> { }
                case Expr.Chars c -> { }
                case Expr.Literal l -> { }
            }
        }
    }
}
