package dev.pagoda.engine.cuda;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Optional;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Marks a GPU test class: where CUDA is not usable every test method is reported as skipped with
 * the reason (e.g. "CUDA tests skipped: the CUDA runtime libraries could not be loaded …"), so
 * CI's report shows each one instead of silently running none. The class's {@code @BeforeAll}
 * should open the device through {@link CudaTestDevice#openOrNull()}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresCuda.Condition.class)
public @interface RequiresCuda {

    final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            Optional<String> reason = CudaDevice.unavailableReason();
            if (reason.isEmpty()) return ConditionEvaluationResult.enabled("CUDA is usable");
            if (context.getTestMethod().isEmpty()) return ConditionEvaluationResult.enabled("class runs so each test reports its skip");
            return ConditionEvaluationResult.disabled("CUDA tests skipped: " + reason.get());
        }
    }
}
