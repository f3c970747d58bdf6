package dev.pagoda.gui.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import dev.pagoda.engine.archfixture.EngineReachingIntoWebapi;
import dev.pagoda.gui.archfixture.NodeHoldingViewModel;
import org.junit.jupiter.api.Test;

/**
 * The module arrows of docs/architecture.md, checked on the compiled classes:
 * models-catalog <- engine <- webapi <- app-gui. Maven already stops a module from seeing the
 * modules above it; these rules also keep Helidon and JavaFX out of the lower modules, where a
 * transitive dependency could otherwise slip them in. It lives in the highest module, app-gui,
 * whose test class path holds every module below it. The GUI may use anything, but its
 * view-models hold no scene-graph types (design.md: view + view-model), so they stay testable
 * without a stage.
 */
class ModuleBoundariesTest {

    static final ArchRule CATALOG_STANDS_ALONE = noClasses()
            .that().resideInAPackage("dev.pagoda.catalog..")
            .should().dependOnClassesThat().resideInAnyPackage(
                    "dev.pagoda.engine..", "dev.pagoda.webapi..", "dev.pagoda.gui..", "io.helidon..", "javafx..")
            .because("models-catalog holds model artifacts only: no inference, no server, no UI");

    static final ArchRule ENGINE_HAS_NO_SERVER_OR_UI = noClasses()
            .that().resideInAPackage("dev.pagoda.engine..")
            .should().dependOnClassesThat().resideInAnyPackage(
                    "dev.pagoda.webapi..", "dev.pagoda.gui..", "io.helidon..", "javafx..")
            .because("the engine runs headless and under any front end");

    static final ArchRule WEBAPI_HAS_NO_UI = noClasses()
            .that().resideInAPackage("dev.pagoda.webapi..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.pagoda.gui..", "javafx..")
            .because("`pagoda serve` must run on a machine without a display");

    static final ArchRule VIEW_MODELS_HOLD_NO_NODES = noClasses()
            .that().resideInAPackage("dev.pagoda.gui..").and().haveSimpleNameEndingWith("ViewModel")
            .should().dependOnClassesThat().resideInAnyPackage("javafx.scene..")
            .because("a view-model is plain state and logic; the view owns every Node");

    private static JavaClasses imported;

    /** Imported once for all rules: scanning the class path is most of this test's time. */
    private static synchronized JavaClasses productionClasses() {
        if (imported == null) imported = importProductionClasses();
        return imported;
    }

    private static JavaClasses importProductionClasses() {
        return new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("-tests.jar"))
                .importPackages("dev.pagoda");
    }

    @Test
    void catalogDependsOnNothingAboveIt() {
        CATALOG_STANDS_ALONE.check(productionClasses());
    }

    @Test
    void engineDependsOnNoServerOrUi() {
        ENGINE_HAS_NO_SERVER_OR_UI.check(productionClasses());
    }

    @Test
    void webapiDependsOnNoUi() {
        WEBAPI_HAS_NO_UI.check(productionClasses());
    }

    @Test
    void viewModelsHoldNoNodes() {
        VIEW_MODELS_HOLD_NO_NODES.check(productionClasses());
    }

    @Test
    void everyModuleIsActuallyImported() {
        // Guards against the rules passing vacuously because a module's classes were not found.
        JavaClasses classes = productionClasses();
        for (String pkg : new String[] {"dev.pagoda.catalog", "dev.pagoda.engine", "dev.pagoda.webapi", "dev.pagoda.gui"}) {
            if (classes.stream().noneMatch(c -> c.getPackageName().startsWith(pkg))) {
                throw new AssertionError("no classes of " + pkg + " on the class path");
            }
        }
    }

    @Test
    void aViolationIsCaught() {
        JavaClasses violator = new ClassFileImporter().importClasses(EngineReachingIntoWebapi.class);
        assertThrows(AssertionError.class, () -> ENGINE_HAS_NO_SERVER_OR_UI.check(violator));
        JavaClasses nodeHolder = new ClassFileImporter().importClasses(NodeHoldingViewModel.class);
        assertThrows(AssertionError.class, () -> VIEW_MODELS_HOLD_NO_NODES.check(nodeHolder));
    }
}
