package dev.pagoda.gui.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.engine.core.LocalEngine;
import dev.pagoda.gui.server.ServerViewModel.Phase;
import dev.pagoda.webapi.server.PagodaServer;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The Server tab's form and start/cancel, on the FX toolkit (its Tasks report on the FX thread). */
@ExtendWith(ApplicationExtension.class)
class ServerViewModelTest {

    private final ExecutorService background = Executors.newCachedThreadPool();
    private final List<String> errors = new CopyOnWriteArrayList<>();

    @Start
    void start(Stage stage) {
        // no window needed; the extension starts the toolkit
    }

    @AfterEach
    void shutDown() {
        background.shutdownNow();
    }

    @Test
    void corsOriginsAndGpuUtilizationReachTheServerAndEngineConfigs(FxRobot robot) throws Exception {
        ServerViewModel vm = onFx(() -> new ServerViewModel(new EmbeddedServer(c -> null, (e, o) -> null), background, errors::add));
        ServerSettings settings = onFx(() -> {
            vm.allowedOriginsProperty().set(" http://a.test ,http://b.test:3000 ");
            vm.gpuMemoryUtilizationProperty().set("0.55");
            return vm.settings();
        });
        assertEquals(List.of("http://a.test", "http://b.test:3000"), settings.serverOptions().allowedOrigins());
        assertEquals(0.55, settings.engineConfig().gpuMemoryUtilization());
        ServerSettings none = onFx(() -> {
            vm.allowedOriginsProperty().set("");
            return vm.settings();
        });
        assertEquals(List.of(), none.serverOptions().allowedOrigins(), "empty turns CORS off");
        assertEquals(0.9, ServerSettings.DEFAULTS.engineConfig().gpuMemoryUtilization(), "vLLM's default");

        robot.interact(() -> {
            vm.gpuMemoryUtilizationProperty().set("most");
            vm.start();
        });
        robot.interact(() -> {
            vm.gpuMemoryUtilizationProperty().set("0.5");
            vm.allowedOriginsProperty().set("http://a.test http://b.test");
            vm.start();
        });
        assertEquals(List.of("GPU memory utilization must be a number, got 'most'",
                "CORS origins must be comma-separated origins like http://localhost:3000 or *, got 'http://a.test http://b.test'"), errors);
        assertEquals(Phase.STOPPED, vm.phaseProperty().get());
    }

    @Test
    void anOutOfRangeUtilizationFailsTheStartWithEngineConfigsReason(FxRobot robot) throws Exception {
        EmbeddedServer server = new EmbeddedServer(c -> {
            throw new AssertionError("the engine must not load");
        }, (e, o) -> null);
        ServerViewModel vm = onFx(() -> new ServerViewModel(server, background, errors::add));
        robot.interact(() -> {
            vm.portProperty().set("0");
            vm.gpuMemoryUtilizationProperty().set("1.5");
            vm.start();
        });
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> !errors.isEmpty());
        assertEquals(List.of("Could not start the server: --gpu-memory-utilization must be in (0, 1], got 1.5"), errors);
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> onFx(() -> vm.phaseProperty().get() == Phase.STOPPED));
    }

    /**
     * Cancel while the model loads: the tab says STOPPING until the load returns, then closes what
     * it loaded (server and engine) and is STOPPED without an error dialog; a new Start works.
     */
    @Test
    void cancellingAStartClosesWhatTheLoadStartedOnceItReturns(FxRobot robot) throws Exception {
        CountDownLatch loading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        EmbeddedServer server = new EmbeddedServer(c -> {
            loading.countDown();
            try {
                if (!release.await(60, TimeUnit.SECONDS)) throw new AssertionError("never released");
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            return LocalEngine.start(c);
        }, PagodaServer::start);
        try {
            ServerViewModel vm = onFx(() -> new ServerViewModel(server, background, errors::add));
            robot.interact(() -> {
                vm.portProperty().set("0");
                vm.kvCacheMiBProperty().set("4");
                vm.start();
            });
            assertTrue(loading.await(30, TimeUnit.SECONDS), "the load never began");
            WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> onFx(() -> vm.progressMessageProperty().get().startsWith("loading")));
            assertEquals(1 / 3.0, onFx(() -> vm.progressProperty().get()), 1e-9, "stage 1 of 3: the model");
            robot.interact(vm::cancelStart);
            assertEquals(Phase.STOPPING, onFx(() -> vm.phaseProperty().get()));
            release.countDown();
            WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> onFx(() -> vm.phaseProperty().get() == Phase.STOPPED));
            assertTrue(server.running().isEmpty(), "a cancelled start leaves nothing running");
            assertEquals("start cancelled", onFx(() -> vm.progressMessageProperty().get()));
            assertEquals(List.of(), errors);
            assertEquals("", onFx(() -> vm.urlProperty().get()));
        } finally {
            release.countDown();
            server.stop();
        }
    }

    private static <T> T onFx(Callable<T> work) throws Exception {
        return WaitForAsyncUtils.asyncFx(work).get(10, TimeUnit.SECONDS);
    }
}
