package dev.pagoda.engine.structured.json;

import dev.pagoda.engine.structured.grammar.ByteSet;
import dev.pagoda.engine.structured.grammar.Expr;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Decimal numerals of a range of natural numbers as a grammar: the numerals of {@code [lo, hi]}
 * without leading zeros, at most {@link JsonSyntax#MAX_INTEGER_DIGITS} digits. The classic
 * construction: split by digit count, then, for numerals of equal length, by the longest common
 * prefix (e.g. 17..312 = 1[7-9] | [2-9][0-9] | 1[0-9][0-9] | 2[0-9][0-9] | 30[0-9] | 31[0-2]).
 */
final class IntegerRanges {

    static final BigInteger MAX = BigInteger.TEN.pow(JsonSyntax.MAX_INTEGER_DIGITS).subtract(BigInteger.ONE);

    private IntegerRanges() {}

    /** Numerals of {@code [lo, hi]} (null hi: up to {@link #MAX}); nothing when empty. */
    static Expr naturals(BigInteger lo, BigInteger hi) {
        if (lo.signum() < 0) lo = BigInteger.ZERO;
        if (hi == null || hi.compareTo(MAX) > 0) hi = MAX;
        if (lo.compareTo(hi) > 0) return Expr.NOTHING;
        List<Expr> options = new ArrayList<>();
        String a = lo.toString(), b = hi.toString();
        for (int len = a.length(); len <= b.length(); len++) {
            String from = len == a.length() ? a : "1" + "0".repeat(len - 1);
            String to = len == b.length() ? b : "9".repeat(len);
            if (len == 1 && from.equals("0")) {
                options.add(Expr.literal("0"));
                if (to.equals("0")) continue;
                from = "1";
            }
            equalLength(from, to, options);
        }
        return Expr.alt(options);
    }

    /**
     * Digit strings of equal length from {@code from} to {@code to}, any digit allowed anywhere
     * (a numeral's range of one length starts with a non-zero digit, so none of these has a
     * leading zero).
     */
    private static void equalLength(String from, String to, List<Expr> out) {
        int n = from.length();
        if (n == 0) {
            out.add(Expr.EMPTY);
            return;
        }
        int common = 0;
        while (common < n && from.charAt(common) == to.charAt(common)) common++;
        if (common == n) {
            out.add(Expr.literal(from));
            return;
        }
        String prefix = from.substring(0, common);
        int lo = from.charAt(common) - '0', hi = to.charAt(common) - '0';
        int rest = n - common - 1;
        boolean fromTail = from.substring(common + 1).chars().allMatch(c -> c == '0');
        boolean toTail = to.substring(common + 1).chars().allMatch(c -> c == '9');
        int freeLo = fromTail ? lo : lo + 1;
        int freeHi = toTail ? hi : hi - 1;
        if (!fromTail) {
            List<Expr> t = new ArrayList<>();
            equalLength(from.substring(common + 1), "9".repeat(rest), t);
            out.add(Expr.seq(Expr.literal(prefix + (char) ('0' + lo)), Expr.alt(t)));
        }
        if (freeLo <= freeHi) out.add(Expr.seq(Expr.literal(prefix), digits(freeLo, freeHi), Expr.repeat(digits(0, 9), rest, rest)));
        if (!toTail) {
            List<Expr> t = new ArrayList<>();
            equalLength("0".repeat(rest), to.substring(common + 1), t);
            out.add(Expr.seq(Expr.literal(prefix + (char) ('0' + hi)), Expr.alt(t)));
        }
    }

    private static Expr digits(int lo, int hi) {
        return new Expr.Bytes(ByteSet.range('0' + lo, '0' + hi));
    }

    /**
     * Integer numerals (JSON's {@code -?(0|[1-9][0-9]*)}, no {@code -0}) of {@code [lo, hi]};
     * null bounds are open (to the digit limit).
     */
    static Expr integers(BigInteger lo, BigInteger hi) {
        List<Expr> options = new ArrayList<>();
        // v >= 0
        if (hi == null || hi.signum() >= 0) {
            options.add(naturals(lo == null || lo.signum() < 0 ? BigInteger.ZERO : lo, hi));
        }
        // v < 0: "-" then the magnitude in [max(1, -hi), -lo]
        if (lo == null || lo.signum() < 0) {
            BigInteger magLo = hi == null || hi.signum() >= 0 ? BigInteger.ONE : hi.negate();
            BigInteger magHi = lo == null ? null : lo.negate();
            Expr mags = naturals(magLo, magHi);
            if (!mags.equals(Expr.NOTHING)) options.add(Expr.seq(Expr.literal("-"), mags));
        }
        return Expr.alt(options);
    }
}
