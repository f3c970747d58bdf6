package dev.pagoda.engine.structured.json;

import dev.pagoda.engine.structured.grammar.Expr;
import dev.pagoda.engine.structured.regex.RegexParser;
import java.util.Map;
import java.util.Set;

/**
 * JSON Schema string formats as the content of a JSON string (between the quotes), each an
 * exact regular language (none needs escapes, so content and value coincide):
 * <ul>
 *   <li>{@code date}: RFC 3339 full-date {@code YYYY-MM-DD}, month 01-12, day 01-31 / 30 / 29 by
 *       month (February 29 in any year: leap years are not checked);</li>
 *   <li>{@code time}: RFC 3339 full-time {@code HH:MM:SS[.frac](Z|±HH:MM)}, seconds up to 59;</li>
 *   <li>{@code date-time}: date {@code T} time (T and Z in either case, as RFC 3339 allows);</li>
 *   <li>{@code uuid}: 8-4-4-4-12 hexadecimal digits, either case;</li>
 *   <li>{@code ipv4}: dotted quad of 0..255 without leading zeros;</li>
 *   <li>{@code email}: a dot-atom local part and a dotted domain of letters, digits and hyphens
 *       (no quoted local parts, no IP-literal domains).</li>
 * </ul>
 */
final class StringFormats {

    private static final String OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])";
    private static final String DATE = "[0-9]{4}-(((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01]))|((0[469]|11)-(0[1-9]|[12][0-9]|30))|(02-(0[1-9]|1[0-9]|2[0-9])))";
    private static final String TIME = "([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])";

    private static final Map<String, String> PATTERNS = Map.of(
            "date", DATE,
            "time", TIME,
            "date-time", DATE + "[Tt]" + TIME,
            "uuid", "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
            "ipv4", OCTET + "\\." + OCTET + "\\." + OCTET + "\\." + OCTET,
            "email", "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    + "(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+");

    static final Set<String> SUPPORTED = PATTERNS.keySet();

    private StringFormats() {}

    /** The content grammar of {@code format}, or null where it is not supported. */
    static Expr content(String format) {
        String p = PATTERNS.get(format);
        return p == null ? null : RegexParser.parse(p).body();
    }
}
