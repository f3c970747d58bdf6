package dev.pagoda.engine.structured.grammar;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A grammar rule's body over bytes: what every front end (JSON Schema, regex, choice, GBNF, Lark)
 * produces and {@code automaton.AutomatonBuilder} compiles. Text is matched as its UTF-8 bytes; a
 * {@link Chars} class stands for the UTF-8 encodings of its code points.
 */
public sealed interface Expr {

    /** Repeat bound meaning "no upper bound". */
    int UNBOUNDED = -1;

    /** One byte from the set. */
    record Bytes(ByteSet set) implements Expr {}

    /** One character (its UTF-8 encoding) from the set. */
    record Chars(CodepointSet set) implements Expr {}

    /** These bytes in order. */
    record Literal(byte[] bytes) implements Expr {
        @Override
        public boolean equals(Object o) {
            return o instanceof Literal l && Arrays.equals(bytes, l.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "Literal[" + new String(bytes, StandardCharsets.UTF_8) + "]";
        }
    }

    /** Each item in turn; the empty sequence matches the empty string. */
    record Seq(List<Expr> items) implements Expr {
        public Seq {
            items = List.copyOf(items);
        }
    }

    /** Any one of the options; no options matches nothing. */
    record Alt(List<Expr> options) implements Expr {
        public Alt {
            options = List.copyOf(options);
        }
    }

    /** {@code item} between {@code min} and {@code max} times ({@link #UNBOUNDED}: no upper bound). */
    record Repeat(Expr item, int min, int max) implements Expr {
        public Repeat {
            if (min < 0 || (max != UNBOUNDED && max < min)) throw new IllegalArgumentException("repeat {" + min + "," + max + "}");
        }
    }

    /** The rule of that name. */
    record Ref(String rule) implements Expr {}

    /** Strings of {@code expr} that are not strings of {@code excluded}; both must be regular (no rule references). */
    record Minus(Expr expr, Expr excluded) implements Expr {}

    Expr EMPTY = new Seq(List.of());
    Expr NOTHING = new Alt(List.of());

    static Expr literal(String text) {
        return new Literal(text.getBytes(StandardCharsets.UTF_8));
    }

    static Expr chars(CodepointSet set) {
        return new Chars(set);
    }

    static Expr ref(String rule) {
        return new Ref(rule);
    }

    /** A sequence, flattened: nested sequences are spliced, a single item is returned as is. */
    static Expr seq(Expr... items) {
        return seq(Arrays.asList(items));
    }

    static Expr seq(List<Expr> items) {
        List<Expr> flat = new ArrayList<>();
        for (Expr e : items) {
            if (e instanceof Seq s) flat.addAll(s.items());
            else if (e.equals(NOTHING)) return NOTHING;
            else flat.add(e);
        }
        return flat.size() == 1 ? flat.getFirst() : new Seq(flat);
    }

    static Expr alt(Expr... options) {
        return alt(Arrays.asList(options));
    }

    /** A choice, flattened: nested choices are spliced, a single option is returned as is. */
    static Expr alt(List<Expr> options) {
        List<Expr> flat = new ArrayList<>();
        for (Expr e : options) {
            if (e instanceof Alt a) flat.addAll(a.options());
            else flat.add(e);
        }
        return flat.size() == 1 ? flat.getFirst() : new Alt(flat);
    }

    static Expr optional(Expr e) {
        return new Repeat(e, 0, 1);
    }

    static Expr star(Expr e) {
        return new Repeat(e, 0, UNBOUNDED);
    }

    static Expr plus(Expr e) {
        return new Repeat(e, 1, UNBOUNDED);
    }

    static Expr repeat(Expr e, int min, int max) {
        return new Repeat(e, min, max);
    }
}
