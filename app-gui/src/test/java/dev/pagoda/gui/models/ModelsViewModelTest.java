package dev.pagoda.gui.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.catalog.config.Architecture;
import dev.pagoda.catalog.discovery.DiscoveredModel;
import dev.pagoda.catalog.discovery.ModelDiscovery;
import dev.pagoda.catalog.synthetic.SyntheticModels;
import dev.pagoda.catalog.config.HfConfigReader;
import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.plan.MemoryPlan;
import dev.pagoda.catalog.plan.MemoryPlanRequest;
import dev.pagoda.catalog.plan.MemoryPlanner;
import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.gui.server.EmbeddedServer;
import dev.pagoda.gui.server.ServerViewModel;
import java.nio.file.Path;
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

    private static final long RAM = 64L << 30;

    /** A small random-weight Llama in the real HF layout (the served demo model is not needed here). */
    private static final SyntheticModels.Variant MODEL = new SyntheticModels.Variant(
            Architecture.LLAMA, DType.F32, false, false, 2026, SyntheticModels.Shape.TINY);

    private static Path writeModel(Path models) {
        return SyntheticModels.write(MODEL, models.resolve(MODEL.name()));
    }

    /**
     * The Models tab's plan for a model is MemoryPlanner's, and its numbers are those of the
     * formula worked here from the model's config: K and V of every layer in f32 per token.
     */
    @Test
    void thePlanOfAModelIsTheMemoryPlannersAnswerForTheConfiguredKvCache(@TempDir Path dir, FxRobot robot) throws Exception {
        Path written = writeModel(dir.resolve("models"));
        ModelSpec spec = HfConfigReader.readFolder(written);
        var background = Executors.newSingleThreadExecutor();
        try {
            ServerViewModel server = onFx(robot, () -> new ServerViewModel(new EmbeddedServer(c -> null, (e, o) -> null), background, m -> {}));
            PlanInputs[] inputs = {new PlanInputs(RAM, 3L << 20, 16, null)};
            ModelsViewModel vm = new ModelsViewModel(new ModelDiscovery(), List.of(dir.resolve("models")), background, server,
                    () -> inputs[0]);
            robot.interact(vm::scan);
            WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> !vm.scanningProperty().get() && !vm.models().isEmpty());
            DiscoveredModel m = vm.models().getFirst();
            DType weights = DType.valueOf(m.dtype());

            for (int[] c : new int[][] {{3, 16, 0}, {256, 16, 0}, {40, 8, 100}, {7, 32, 512}}) {
                long kv = (long) c[0] << 20;
                int blockSize = c[1];
                Integer maxLen = c[2] == 0 ? null : c[2];
                inputs[0] = new PlanInputs(RAM, kv, blockSize, maxLen);
                ModelFit fit = vm.fit(m).orElseThrow();
                // By hand: per token 2 (K, V) x layers x kv heads x head dim x 4 bytes.
                long perBlock = 2L * spec.numLayers() * spec.numKvHeads() * spec.headDim() * 4 * blockSize;
                long blocks = kv / perBlock;
                int context = maxLen == null ? spec.maxPositionEmbeddings() : maxLen;
                long sequences = blocks / Math.ceilDiv(context, blockSize);
                String at = kv + " bytes, block " + blockSize + ", context " + context;
                assertEquals(blocks * blockSize, fit.plan().maxCachedTokens(), at);
                assertEquals(sequences, fit.sequences(), at);
                MemoryPlan planner = MemoryPlanner.plan(new MemoryPlanRequest(spec, weights, DType.F32,
                        MemoryPlanner.weightBytes(spec, weights) + kv, 1.0, blockSize, 0));
                assertEquals(planner, fit.plan(), at);
                assertEquals("fits: " + planner.maxCachedTokens() + " tokens of KV, " + planner.maxConcurrentSequences(context)
                        + " sequences at context " + context + " on this device", onFx(robot, () -> vm.planText(m)).split(" \\(")[0], at);
            }
            // RAM smaller than the weights: the planner's "does not fit" reason, shown as it is.
            long weightBytes = MemoryPlanner.weightBytes(spec, weights);
            inputs[0] = new PlanInputs(weightBytes / 2, 256L << 20, 16, null);
            String text = onFx(robot, () -> vm.planText(m));
            assertEquals(MemoryPlanner.plan(new MemoryPlanRequest(spec, weights, DType.F32, weightBytes / 2, 1.0, 16, 0)).problem(), text);
            assertTrue(text.startsWith("does not fit"), text);
        } finally {
            background.shutdownNow();
        }
    }

    private static <T> T onFx(FxRobot robot, java.util.concurrent.Callable<T> work) throws Exception {
        return WaitForAsyncUtils.asyncFx(work).get(10, TimeUnit.SECONDS);
    }

    @Test
    void aWrittenModelIsListedAndServingItHandsItsPathToTheServerTab(@TempDir Path dir, FxRobot robot) throws Exception {
        Path written = writeModel(dir.resolve("models"));
        Path missing = dir.resolve("nowhere");
        var background = Executors.newSingleThreadExecutor();
        try {
            ServerViewModel server = onFx(robot, () -> new ServerViewModel(new EmbeddedServer(c -> null, (e, o) -> null), background, m -> {}));
            ModelsViewModel vm = new ModelsViewModel(new ModelDiscovery(), List.of(missing), background, server,
                    () -> new PlanInputs(RAM, 256L << 20, 16, null));
            robot.interact(() -> vm.addRoot(dir.resolve("models")));
            WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> !vm.scanningProperty().get() && !vm.models().isEmpty());

            assertEquals(1, vm.models().size(), vm.models().toString());
            DiscoveredModel m = vm.models().getFirst();
            assertEquals(written.toAbsolutePath().normalize(), m.path());
            assertEquals(Architecture.LLAMA, m.architecture());
            String status = vm.statusProperty().get();
            assertTrue(status.startsWith("1 model(s) found; 1 problem(s): " + missing.toAbsolutePath().normalize()), status);

            robot.interact(() -> vm.serve(m));
            assertEquals(written.toAbsolutePath().normalize().toString(), server.modelProperty().get());
        } finally {
            background.shutdownNow();
        }
    }
}
