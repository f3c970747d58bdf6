package dev.pagoda.engine.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noMethods;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import dev.pagoda.engine.backend.cpu.archfixture.BackendNamingAnArchitecture;
import dev.pagoda.engine.core.LocalEngine;
import dev.pagoda.engine.model.arch.archfixture.ModelFileOnKernels;
import dev.pagoda.engine.model.arch.archfixture.ModelFileOnSegments;
import org.junit.jupiter.api.Test;

/**
 * The engine's layers (docs/architecture.md, "engine"), checked on its compiled production
 * classes: a model file is written over the ops interface only; the ops know no backend; the
 * backends know no model file; kernels know neither; the scheduler knows no model; the engine
 * core reaches devices through backend/ only; the runner never sees a live request; no benchmark
 * or experiment main ships.
 */
class EngineLayersTest {

    private static final String ENGINE = "dev.pagoda.engine..";

    static final ArchRule MODEL_FILES_USE_ONLY_THE_OPS = classes()
            .that().resideInAPackage("dev.pagoda.engine.model.arch..")
            .should().onlyDependOnClassesThat().resideInAnyPackage(
                    "dev.pagoda.engine.model.arch..", "dev.pagoda.engine.model.ops..", "dev.pagoda.catalog.config..",
                    "java.lang", "java.util..")
            .because("an architecture is written once, over ModelOps, and every backend runs it");

    static final ArchRule MODEL_FILES_HOLD_NO_SEGMENTS = noClasses()
            .that().resideInAPackage("dev.pagoda.engine.model.arch..")
            .should().dependOnClassesThat().resideInAPackage("java.lang.foreign..")
            .because("model files work on backend tensors (opaque handles), never on raw memory");

    static final ArchRule OPS_KNOW_NO_BACKEND = noClasses()
            .that().resideInAPackage("dev.pagoda.engine.model..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.pagoda.engine.backend..", "dev.pagoda.engine.cpu..",
                    "dev.pagoda.engine.cuda..", "dev.pagoda.engine.runner..", "dev.pagoda.engine.sched..", "dev.pagoda.engine.core..")
            .because("the ops interface is what backends implement, not what they are");

    static final ArchRule BACKENDS_KNOW_NO_MODEL_FILE = noClasses()
            .that().resideInAnyPackage("dev.pagoda.engine.backend.cpu..", "dev.pagoda.engine.backend.cuda..")
            .should().dependOnClassesThat().resideInAPackage("dev.pagoda.engine.model.arch..")
            .because("a backend implements the ops for every architecture; only the assembly (backend/*Backend) picks one");

    static final ArchRule KERNELS_KNOW_NO_MODEL_OR_BACKEND = noClasses()
            .that().resideInAnyPackage("dev.pagoda.engine.cpu..", "dev.pagoda.engine.cuda..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.pagoda.engine.model.arch..", "dev.pagoda.engine.backend..",
                    "dev.pagoda.engine.runner..", "dev.pagoda.engine.sched..", "dev.pagoda.engine.core..")
            .because("kernels and the device layer compute what they are given; backends bind them to models");

    static final ArchRule SCHEDULING_KNOWS_NO_MODEL = noClasses()
            .that().resideInAnyPackage("dev.pagoda.engine.sched..", "dev.pagoda.engine.kv..", "dev.pagoda.engine.request..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.pagoda.engine.model..", "dev.pagoda.engine.backend..",
                    "dev.pagoda.engine.runner..", "dev.pagoda.engine.cpu..", "dev.pagoda.engine.cuda..")
            .because("the scheduler decides who runs; what runs is the runner's");

    static final ArchRule CORE_REACHES_DEVICES_THROUGH_BACKENDS = noClasses()
            .that().resideInAPackage("dev.pagoda.engine.core..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.pagoda.engine.cuda..", "dev.pagoda.engine.backend.cuda..",
                    "dev.pagoda.engine.model..")
            .because("backend/ assembles devices and models; the engine loop only drives a runner");

    static final ArchRule THE_RUNNER_SEES_NO_LIVE_REQUEST = noClasses()
            .that().resideInAnyPackage("dev.pagoda.engine.runner..", "dev.pagoda.engine.backend..")
            .or().haveFullyQualifiedName("dev.pagoda.engine.sched.SchedulerOutput")
            .or().haveFullyQualifiedName("dev.pagoda.engine.sched.ScheduledSequence")
            .or().haveFullyQualifiedName("dev.pagoda.engine.sched.NewSequence")
            .or().haveFullyQualifiedName("dev.pagoda.engine.sched.ModelRunnerOutput")
            .should().dependOnClassesThat().haveFullyQualifiedName("dev.pagoda.engine.request.Request")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.pagoda.engine.request.TokenHistory")
            .because("a step reaches the runner as data: new sequences once, then ids and changes (vLLM V1's SchedulerOutput)");

    static final ArchRule NO_MAIN_IN_PRODUCTION = noMethods()
            .that().areDeclaredInClassesThat().resideInAPackage(ENGINE)
            .should().haveName("main")
            .because("benchmark and experiment mains live in src/bench/java, outside the production jar");

    private static JavaClasses imported;

    private static synchronized JavaClasses production() {
        if (imported == null) {
            // the engine's production classes only: their folder (or jar), not the whole class path
            java.net.URL location = LocalEngine.class.getProtectionDomain().getCodeSource().getLocation();
            imported = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                    .importLocations(java.util.Set.of(com.tngtech.archunit.core.importer.Location.of(location)));
        }
        return imported;
    }

    @Test
    void modelFilesAreWrittenOverTheOpsOnly() {
        MODEL_FILES_USE_ONLY_THE_OPS.check(production());
        MODEL_FILES_HOLD_NO_SEGMENTS.check(production());
    }

    @Test
    void theOpsKnowNoBackend() {
        OPS_KNOW_NO_BACKEND.check(production());
    }

    @Test
    void backendsKnowNoModelFile() {
        BACKENDS_KNOW_NO_MODEL_FILE.check(production());
    }

    @Test
    void kernelsKnowNoModelOrBackend() {
        KERNELS_KNOW_NO_MODEL_OR_BACKEND.check(production());
    }

    @Test
    void schedulingKnowsNoModel() {
        SCHEDULING_KNOWS_NO_MODEL.check(production());
    }

    @Test
    void theCoreReachesDevicesThroughBackends() {
        CORE_REACHES_DEVICES_THROUGH_BACKENDS.check(production());
    }

    @Test
    void theRunnerSeesNoLiveRequest() {
        THE_RUNNER_SEES_NO_LIVE_REQUEST.check(production());
    }

    @Test
    void noBenchmarkMainShips() {
        NO_MAIN_IN_PRODUCTION.check(production());
    }

    @Test
    void theRulesSeeTheEngineAndCatchViolations() {
        if (production().stream().noneMatch(c -> c.getPackageName().equals("dev.pagoda.engine.model.arch"))) {
            throw new AssertionError("no model files on the class path: the rules would pass vacuously");
        }
        JavaClasses onKernels = new ClassFileImporter().importClasses(ModelFileOnKernels.class);
        assertThrows(AssertionError.class, () -> MODEL_FILES_USE_ONLY_THE_OPS.check(onKernels));
        JavaClasses onSegments = new ClassFileImporter().importClasses(ModelFileOnSegments.class);
        assertThrows(AssertionError.class, () -> MODEL_FILES_HOLD_NO_SEGMENTS.check(onSegments));
        JavaClasses naming = new ClassFileImporter().importClasses(BackendNamingAnArchitecture.class);
        assertThrows(AssertionError.class, () -> BACKENDS_KNOW_NO_MODEL_FILE.check(naming));
    }
}
