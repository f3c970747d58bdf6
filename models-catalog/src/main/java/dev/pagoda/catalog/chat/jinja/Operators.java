package dev.pagoda.catalog.chat.jinja;

import java.util.ArrayList;
import java.util.List;

/**
 * Binary operators (all but the short-circuit {@code and}/{@code or}). Semantics are Python's,
 * with the reference's extension that {@code +} joins a string with anything as text.
 */
final class Operators {

    /** Keeps {@code 'x' * n} and {@code [..] * n} from exhausting memory on a hostile template. */
    private static final long MAX_REPEAT_LENGTH = 1 << 24;

    private Operators() {}

    static Value apply(String op, Value a, Value b) {
        return switch (op) {
            case "==" -> Value.of(Values.equal(a, b));
            case "!=" -> Value.of(!Values.equal(a, b));
            case "<" -> Value.of(Values.compare(a, b, true) < 0);
            case ">" -> Value.of(Values.compare(a, b, true) > 0);
            case "<=" -> Value.of(Values.compare(a, b, true) <= 0);
            case ">=" -> Value.of(Values.compare(a, b, true) >= 0);
            case "in" -> Value.of(contains(b, a));
            case "not in" -> Value.of(!contains(b, a));
            case "~" -> Value.of(Values.str(a) + Values.str(b));
            case "+" -> plus(a, b);
            case "*" -> times(a, b);
            case "-", "/", "//", "%", "**" -> arithmetic(op, a, b);
            default -> throw new TemplateException("unknown operator " + op);
        };
    }

    static boolean contains(Value container, Value item) {
        return switch (container) {
            case Value.ListV l -> l.items().stream().anyMatch(x -> Values.equal(x, item));
            case Value.Dict d -> item instanceof Value.Str s && d.entries().containsKey(s.value());
            case Value.Str s -> {
                if (!(item instanceof Value.Str t)) throw new TemplateException("'in <string>' needs a string on the left, got " + item.typeName());
                yield s.value().contains(t.value());
            }
            case Value.Undefined u -> false;
            default -> throw new TemplateException("'in' needs a list, dict or string on the right, got " + container.typeName());
        };
    }

    private static Value plus(Value a, Value b) {
        if (a instanceof Value.ListV l && b instanceof Value.ListV m) {
            var out = new ArrayList<>(l.items());
            out.addAll(m.items());
            return new Value.ListV(out);
        }
        if (a instanceof Value.Str || b instanceof Value.Str) {
            if (a instanceof Value.None || b instanceof Value.None || a instanceof Value.Undefined || b instanceof Value.Undefined) {
                throw new TemplateException("cannot add " + a.typeName() + " and " + b.typeName());
            }
            return Value.of(Values.str(a) + Values.str(b));
        }
        return arithmetic("+", a, b);
    }

    private static Value times(Value a, Value b) {
        if ((a instanceof Value.Str || a instanceof Value.ListV) && b instanceof Value.Int n) return repeat(a, n.value());
        if ((b instanceof Value.Str || b instanceof Value.ListV) && a instanceof Value.Int n) return repeat(b, n.value());
        return arithmetic("*", a, b);
    }

    private static Value repeat(Value v, long n) {
        long count = Math.max(0, n);
        if (v instanceof Value.Str s) {
            if (s.value().length() * count > MAX_REPEAT_LENGTH) throw new TemplateException("string repetition too large");
            return Value.of(s.value().repeat((int) count));
        }
        List<Value> items = ((Value.ListV) v).items();
        if (items.size() * count > MAX_REPEAT_LENGTH) throw new TemplateException("list repetition too large");
        var out = new ArrayList<Value>();
        for (long i = 0; i < count; i++) out.addAll(items);
        return new Value.ListV(out);
    }

    private static Value arithmetic(String op, Value a, Value b) {
        if (!Values.isNumber(a) || !Values.isNumber(b)) {
            throw new TemplateException("unsupported operand types for " + op + ": " + a.typeName() + " and " + b.typeName());
        }
        boolean floats = a instanceof Value.Float || b instanceof Value.Float;
        if (op.equals("/")) {
            double d = Values.toDouble(b);
            if (d == 0) throw new TemplateException("division by zero");
            return new Value.Float(Values.toDouble(a) / d);
        }
        if (floats) {
            double x = Values.toDouble(a), y = Values.toDouble(b);
            return new Value.Float(switch (op) {
                case "+" -> x + y;
                case "-" -> x - y;
                case "*" -> x * y;
                case "//" -> Math.floor(x / nonZero(y));
                case "%" -> x - y * Math.floor(x / nonZero(y));
                default -> Math.pow(x, y);
            });
        }
        long x = Values.toLong(a), y = Values.toLong(b);
        try {
            return switch (op) {
                case "+" -> new Value.Int(Math.addExact(x, y));
                case "-" -> new Value.Int(Math.subtractExact(x, y));
                case "*" -> new Value.Int(Math.multiplyExact(x, y));
                case "//" -> new Value.Int(Math.floorDiv(x, (long) nonZero(y)));
                case "%" -> new Value.Int(Math.floorMod(x, (long) nonZero(y)));
                default -> y < 0 ? new Value.Float(Math.pow(x, y))
                        : new Value.Int(intPower(x, y));
            };
        } catch (ArithmeticException e) {
            throw new TemplateException("integer overflow in " + op);
        }
    }

    private static long intPower(long x, long y) {
        if (x == 0 || x == 1) return y == 0 ? 1 : x;
        if (x == -1) return y % 2 == 0 ? 1 : -1;
        if (y > 64) throw new ArithmeticException("overflow");
        return java.math.BigInteger.valueOf(x).pow((int) y).longValueExact();
    }

    private static double nonZero(double y) {
        if (y == 0) throw new TemplateException("division by zero");
        return y;
    }
}
