package dev.pagoda.engine.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pagoda.catalog.safetensors.HfWeightSource;
import dev.pagoda.catalog.testing.TestModels;
import dev.pagoda.engine.backend.cpu.CpuModel;
import dev.pagoda.engine.cpu.CpuKvCache;
import dev.pagoda.engine.cpu.LinearKernels;
import dev.pagoda.engine.cpu.Parallel;
import dev.pagoda.engine.model.PagedSequences.Chunk;
import dev.pagoda.engine.model.arch.Architectures;
import dev.pagoda.engine.model.PagedSequences.Seq;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Writes every {@link TestModels} fixture as an HF folder, plus token-id sequences and Pagoda's
 * fp32 logits for them, so {@code tools/hf-parity.sh} can compare against transformers on the GPU
 * machine (which has PyTorch; this machine does not). Not a test: a tool run by that script.
 *
 * <p>Usage: {@code HfParityDump OUT_DIR}. For each variant NAME it writes {@code OUT_DIR/NAME/}
 * (the model), {@code OUT_DIR/NAME.ids.json} and {@code OUT_DIR/NAME.pagoda.f32} (logits of every
 * position of every sequence, float32 little-endian, sequences back to back, as hf_logits.py).
 */
public final class HfParityDump {

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args[0]);
        Files.createDirectories(out);
        ObjectMapper json = new ObjectMapper();
        try (Parallel parallel = new Parallel(Math.max(1, Runtime.getRuntime().availableProcessors() / 2))) {
            for (TestModels.Variant variant : TestModels.all()) {
                String name = variant.architecture().name().toLowerCase() + (variant.tiedEmbeddings() ? "-tied" : "");
                Path dir = TestModels.write(variant, out.resolve(name));
                Random random = new Random(42);
                List<int[]> sequences = new ArrayList<>();
                try (HfWeightSource weights = HfWeightSource.open(dir)) {
                    int vocab = weights.spec().vocabSize();
                    for (int len : new int[] {7, 33, 96}) {
                        int[] ids = new int[len];
                        for (int i = 0; i < len; i++) ids[i] = random.nextInt(vocab);
                        sequences.add(ids);
                    }
                    int maxLen = 96;
                    try (CpuModel model = CpuModel.load(weights, Architectures::create,
                                    w -> LinearKernels.create(w, parallel, maxLen), new ModelOptions(maxLen, maxLen), parallel);
                            CpuKvCache cache = new CpuKvCache(model.kvCacheShape(64, 16));
                            Arena arena = Arena.ofShared();
                            OutputStream raw = Files.newOutputStream(out.resolve(name + ".pagoda.f32"))) {
                        for (int[] ids : sequences) {
                            // A fresh paged layout per sequence: blocks are shuffled, as in serving.
                            ForwardBatch batch = new PagedSequences(64, 16, random).step(List.of(new Chunk(new Seq(ids), ids.length)));
                            MemorySegment logits = arena.allocate((long) ids.length * vocab * Float.BYTES, 64);
                            model.forward(batch, cache, logits);
                            ByteBuffer bytes = ByteBuffer.allocate(ids.length * vocab * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                            for (long i = 0; i < (long) ids.length * vocab; i++) {
                                bytes.putFloat(logits.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i));
                            }
                            raw.write(bytes.array());
                        }
                    }
                }
                json.writeValue(out.resolve(name + ".ids.json").toFile(), sequences);
                System.out.println("wrote " + name);
            }
        }
    }
}
