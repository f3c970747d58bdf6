package dev.pagoda.gui.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.catalog.config.Architecture;
import dev.pagoda.catalog.discovery.DiscoveredModel;
import dev.pagoda.catalog.discovery.ModelDiscovery;
import dev.pagoda.catalog.synthetic.DefaultModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** Runs on the FX toolkit: the scan's Task reports on the FX thread. */
@ExtendWith(ApplicationExtension.class)
class ModelsViewModelTest {

    @Start
    void start(Stage stage) {
        // no window needed; the extension starts the toolkit
    }

    @Test
    void aWrittenModelIsListedAndServingItHandsItsPathToTheServerTab(@TempDir Path dir, FxRobot robot) throws Exception {
        Path written = DefaultModel.materialize(dir.resolve("models"));
        Path missing = dir.resolve("nowhere");
        List<String> chosen = new ArrayList<>();
        var background = Executors.newSingleThreadExecutor();
        try {
            ModelsViewModel vm = new ModelsViewModel(new ModelDiscovery(), List.of(missing), background, chosen::add);
            robot.interact(() -> vm.addRoot(dir.resolve("models")));
            WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> !vm.scanningProperty().get() && !vm.models().isEmpty());

            assertEquals(1, vm.models().size(), vm.models().toString());
            DiscoveredModel m = vm.models().getFirst();
            assertEquals(written.toAbsolutePath().normalize(), m.path());
            assertEquals(Architecture.LLAMA, m.architecture());
            String status = vm.statusProperty().get();
            assertTrue(status.startsWith("1 model(s) found; 1 problem(s): " + missing.toAbsolutePath().normalize()), status);

            robot.interact(() -> vm.serve(m));
            assertEquals(List.of(written.toAbsolutePath().normalize().toString()), chosen);
        } finally {
            background.shutdownNow();
        }
    }
}
