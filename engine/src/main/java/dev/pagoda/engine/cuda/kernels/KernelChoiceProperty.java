package dev.pagoda.engine.cuda.kernels;

import java.util.Locale;
import java.util.Properties;
import java.util.function.Function;

/** How a kernel-choice system property ({@link DecodeKernelChoice}, {@link PrefillKernelChoice}) is read. */
final class KernelChoiceProperty {

    private KernelChoiceProperty() {}

    /**
     * The choice whose name {@code property} holds, case and surrounding blanks ignored;
     * {@code fallback} where it is unset or blank; a clear error naming the property otherwise.
     */
    static <E extends Enum<E>> E parse(Properties properties, String property, E fallback, E[] choices, Function<E, String> name) {
        String value = properties.getProperty(property);
        if (value == null || value.isBlank()) return fallback;
        String v = value.trim().toLowerCase(Locale.ROOT);
        for (E c : choices) if (name.apply(c).equals(v)) return c;
        StringBuilder names = new StringBuilder();
        for (E c : choices) names.append(names.isEmpty() ? "" : " or ").append('\'').append(name.apply(c)).append('\'');
        throw new IllegalArgumentException("system property " + property + " must be " + names + ", got '" + value + "'");
    }
}
