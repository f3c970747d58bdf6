package dev.pagoda.engine.core;

import dev.pagoda.catalog.testing.TestModels;
import dev.pagoda.engine.api.RequestStream;
import dev.pagoda.engine.sample.SamplingParams;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The engine's host work per step with an instant device: the CUDA runner over
 * {@link FakeDeviceExecutor}, so what is measured is scheduling, KV bookkeeping, the runner's
 * batch layout and sampling bookkeeping, output processing and telemetry — the time the GPU
 * waits on Java when steps are not overlapped. Not a test: a tool.
 *
 * <p>Usage: {@code HostOverheadBench [prompts=1000] [inputLen=512] [outputLen=256] [maxNumSeqs=256]}.
 */
public final class HostOverheadBench {

    public static void main(String[] args) throws Exception {
        int prompts = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int inputLen = args.length > 1 ? Integer.parseInt(args[1]) : 512;
        int outputLen = args.length > 2 ? Integer.parseInt(args[2]) : 256;
        int maxNumSeqs = args.length > 3 ? Integer.parseInt(args[3]) : 256;
        Path dir = Files.createTempDirectory("pagoda-host-bench");
        Path folder = EngineHarness.writeFixture(dir);
        int vocab = TestModels.tokenizer().size();
        int maxModelLen = inputLen + outputLen;
        long blocks = (long) maxNumSeqs * Math.ceilDiv(maxModelLen, 16);
        long bytesPerBlock = 2L * TestModels.LAYERS * TestModels.KV_HEADS * TestModels.HEAD_DIM * Float.BYTES * 16;
        EngineConfig config = EngineConfig.builder(folder.toString()).maxModelLen(maxModelLen).maxNumSeqs(maxNumSeqs)
                .maxNumBatchedTokens(8192).kvCacheMemoryBytes(blocks * bytesPerBlock).cpuThreads(1).build();
        for (int round = 0; round < 2; round++) { // the first round warms the JIT up
            FakeDeviceExecutor device = new FakeDeviceExecutor(vocab, maxNumSeqs);
            try (LocalEngine engine = EngineHarness.start(config, device.replacingCpuRunner())) {
                Random random = new Random(round);
                SamplingParams params = SamplingParams.builder().temperature(1.0).topP(1.0).ignoreEos(true).maxTokens(outputLen).build();
                long start = System.nanoTime();
                List<RequestStream> streams = new ArrayList<>();
                for (int i = 0; i < prompts; i++) {
                    streams.add(engine.submit(EngineHarness.request("r" + i, random.ints(inputLen, 0, vocab).toArray(), params)));
                }
                for (RequestStream s : streams) EngineHarness.collect(s, 1);
                double seconds = (System.nanoTime() - start) / 1e9;
                long steps = engine.state().totals().steps();
                System.out.printf(Locale.ROOT, "round %d: %d requests of %d/%d, %d steps in %.2f s: %.3f ms of host work per step%n",
                        round, prompts, inputLen, outputLen, steps, seconds, seconds * 1e3 / steps);
            }
        }
    }
}
