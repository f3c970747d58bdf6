package dev.pagoda.engine.testing;

import dev.pagoda.engine.cpu.Parallel;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Supplies tests with a two-thread {@link Parallel} (so every kernel runs split across workers),
 * one per test run, closed by JUnit when the run ends. Use with
 * {@code @ExtendWith(Workers.class)} and a {@code Parallel} test-method parameter.
 */
public final class Workers implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(Workers.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Parallel.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .computeIfAbsent("parallel", key -> new Parallel(2), Parallel.class);
    }
}
