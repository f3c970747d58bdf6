package dev.pagoda.gui.playground;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pagoda.engine.api.InferenceEngine;
import dev.pagoda.engine.sample.SamplingParams;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/** What the Playground refuses before anything is sent, each with a reason naming the control. */
@ExtendWith(ApplicationExtension.class)
class PlaygroundViewModelTest {

    @Start
    void start(Stage stage) {
        // no window needed; the extension starts the toolkit
    }

    @Test
    void badControlsAndNoEngineAreReportedAndNothingIsSent(FxRobot robot) {
        // SamplingParams' own reason for a negative temperature: the Playground passes it on as it is.
        String negative = assertThrows(RuntimeException.class,
                () -> SamplingParams.builder().temperature(-1).topP(1).maxTokens(128).build().validate()).getMessage();
        List<String> errors = new CopyOnWriteArrayList<>();
        Optional<InferenceEngine>[] engine = new Optional[] {Optional.empty()};
        PlaygroundViewModel vm = new PlaygroundViewModel(() -> engine[0], Runnable::run, errors::add);
        robot.interact(() -> {
            vm.send(); // empty input
            vm.inputProperty().set("hi");
            vm.send(); // no engine
            engine[0] = Optional.of((InferenceEngine) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {InferenceEngine.class}, (p, m, a) -> {
                        throw new AssertionError("nothing may reach the engine, got " + m.getName());
                    }));
            vm.temperatureProperty().set("warm");
            vm.send();
            vm.temperatureProperty().set("-1");
            vm.send();
            vm.temperatureProperty().set("0");
            vm.maxTokensProperty().set("many");
            vm.send();
        });
        assertEquals(List.of(
                "Playground: type a message first",
                "Playground: no model is loaded; start the server first",
                "Playground: Temperature must be a number, got 'warm'",
                "Playground: " + negative,
                "Playground: Max tokens must be a whole number, got 'many'"), errors);
        assertEquals(List.of(), vm.conversation());
        assertEquals("hi", vm.inputProperty().get(), "a refused message stays in the box");
        assertFalse(vm.busyProperty().get());
    }
}
