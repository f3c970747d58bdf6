package dev.pagoda.webapi.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses sizes such as {@code 4GiB}, {@code 512MB}, {@code 2g} or {@code 1048576} into bytes. */
public final class ByteSizes {

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]?)(i?b?)");

    private ByteSizes() {}

    /**
     * Binary units throughout (1 GB = 1 GiB = 2^30), as vLLM's {@code VLLM_CPU_KVCACHE_SPACE} counts.
     *
     * @throws IllegalArgumentException naming {@code flag} when the text is not a positive size
     */
    public static long parse(String text, String flag) {
        Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException(flag + " must be a size such as 4GiB, 512MiB or a number of bytes, got '" + text + "'");
        }
        int shift = switch (m.group(2)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        double bytes = Double.parseDouble(m.group(1)) * (1L << shift);
        if (bytes < 1 || bytes > Long.MAX_VALUE / 2) {
            throw new IllegalArgumentException(flag + " must be between 1 byte and 4 EiB, got '" + text + "'");
        }
        return (long) bytes;
    }
}
