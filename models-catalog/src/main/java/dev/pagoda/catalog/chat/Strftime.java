package dev.pagoda.catalog.chat;

import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.Locale;

/** Python's {@code strftime} for the directives chat templates use (Llama 3.1: {@code "%d %b %Y"}). */
final class Strftime {

    private Strftime() {}

    static String format(ZonedDateTime t, String format) {
        var sb = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 >= format.length()) {
                sb.append(c);
                continue;
            }
            char d = format.charAt(++i);
            boolean noPad = d == '-' && i + 1 < format.length(); // glibc's %-d: no zero padding
            if (noPad) d = format.charAt(++i);
            sb.append(switch (d) {
                case 'Y' -> Integer.toString(t.getYear());
                case 'y' -> pad(t.getYear() % 100, noPad);
                case 'm' -> pad(t.getMonthValue(), noPad);
                case 'd' -> pad(t.getDayOfMonth(), noPad);
                case 'e' -> String.format("%2d", t.getDayOfMonth());
                case 'H' -> pad(t.getHour(), noPad);
                case 'I' -> pad(t.getHour() % 12 == 0 ? 12 : t.getHour() % 12, noPad);
                case 'M' -> pad(t.getMinute(), noPad);
                case 'S' -> pad(t.getSecond(), noPad);
                case 'p' -> t.getHour() < 12 ? "AM" : "PM";
                case 'j' -> noPad ? Integer.toString(t.getDayOfYear()) : String.format("%03d", t.getDayOfYear());
                case 'b' -> t.getMonth().getDisplayName(TextStyle.SHORT, Locale.US);
                case 'B' -> t.getMonth().getDisplayName(TextStyle.FULL, Locale.US);
                case 'a' -> t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.US);
                case 'A' -> t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.US);
                case '%' -> "%";
                default -> "%" + (noPad ? "-" : "") + d;
            });
        }
        return sb.toString();
    }

    private static String pad(int v, boolean noPad) {
        return noPad || v >= 10 ? Integer.toString(v) : "0" + v;
    }
}
