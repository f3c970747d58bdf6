package dev.pagoda.webapi.cli;

import dev.pagoda.catalog.config.HfConfigReader;
import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.gguf.GgufFile;
import dev.pagoda.catalog.gguf.GgufSpecMapper;
import dev.pagoda.catalog.plan.MemoryPlanner;
import dev.pagoda.catalog.demo.DemoModels;
import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.engine.core.EngineConfig;
import dev.pagoda.engine.load.BuiltinShapes;
import dev.pagoda.engine.load.LoadFormat;
import dev.pagoda.webapi.server.ServerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The heap and direct-memory limits {@code ./pagoda serve} starts the JVM with. Without them the JVM
 * takes a quarter of the machine's memory as heap and ZGC uses it: a 13 MB model once grew to 6 GB
 * of resident memory with 112 MB of live data. Weights and the KV cache are not on the heap (mapped
 * files and native memory), so the heap holds what the server does with requests:
 *
 * <pre>
 *   heap   = 768 MiB                       Helidon, Jackson, the engine's bookkeeping, room for the collector
 *          + 3 × body budget               request bodies read and parsed at once (bytes and JSON tree)
 *          + 64 B × tokens in flight        ids of running and waiting sequences, their KV snapshots, detokenizers
 *          + 256 B × vocabulary             Java-side vocabularies (GGUF tokenizers)
 *   tokens in flight = min(max-num-seqs × max-model-len, KV cache tokens on the CPU) + 64 waiting prompts
 *   direct = 64 MiB + 64 KiB × max connections   NIO's temporary buffers for socket reads and writes
 * </pre>
 * rounded up to 64 MiB. The launcher appends {@code PAGODA_JAVA_OPTS} after these, and the JVM takes
 * the last of repeated options, so any of them can be overridden there.
 */
record JvmMemory(long heapBytes, long directBytes) {

    private static final long MIB = 1L << 20;

    static JvmMemory forServe(EngineConfig engine, ServerOptions server, Optional<ModelSpec> spec) {
        int seqs = engine.maxNumSeqs();
        int context = engine.maxModelLen() != null ? engine.maxModelLen() : spec.map(ModelSpec::maxPositionEmbeddings).orElse(8192);
        long tokens = (long) seqs * context;
        // auto counts as the CPU: where no GPU is usable that is what it becomes, and it is the larger plan
        boolean cpu = !engine.device().toLowerCase(Locale.ROOT).startsWith("cuda");
        if (cpu && spec.isPresent()) {
            tokens = Math.min(tokens, engine.kvCacheMemoryBytes() / MemoryPlanner.kvBytesPerToken(spec.get(), DType.F32));
        }
        tokens += 64L * context;
        long vocab = spec.map(ModelSpec::vocabSize).orElse(152_064);
        long heap = 768 * MIB + 3 * server.requests().bodyBudgetBytes() + 64 * tokens + 256 * vocab;
        long direct = 64 * MIB + 64 * 1024L * server.connections().maxConnections();
        return new JvmMemory(roundUp(heap), roundUp(direct));
    }

    private static long roundUp(long bytes) {
        long unit = 64 * MIB;
        return (bytes + unit - 1) / unit * unit;
    }

    /**
     * The JVM options. JavaCPP (the CUDA bindings) counts its allocations against a limit derived from
     * the heap's (4 × -Xmx of resident memory, weights included): off, the GPU's memory is what bounds them.
     */
    List<String> options() {
        return List.of("-Xmx" + heapBytes / MIB + "m", "-XX:MaxDirectMemorySize=" + directBytes / MIB + "m",
                "-Dorg.bytedeco.javacpp.maxBytes=0", "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0");
    }

    /** The model's shape from its config alone (nothing loaded); empty when {@code --model} names nothing readable here. */
    static Optional<ModelSpec> peek(String model, LoadFormat loadFormat) {
        try {
            if (model == null || model.isBlank()) return Optional.of(HfConfigReader.readFolder(DemoModels.main()));
            if (DemoModels.isName(model)) {
                return Optional.of(HfConfigReader.readFolder(DemoModels.MAIN.equals(model) ? DemoModels.main() : DemoModels.draft()));
            }
            if (loadFormat == LoadFormat.DUMMY && BuiltinShapes.has(model)) return Optional.of(BuiltinShapes.byName(model));
            Path path = Path.of(model);
            if (Files.isRegularFile(path.resolve("config.json"))) return Optional.of(HfConfigReader.readFolder(path));
            if (Files.isRegularFile(path) && path.toString().toLowerCase(Locale.ROOT).endsWith(".gguf")) {
                try (GgufFile gguf = GgufFile.open(path)) {
                    return Optional.of(GgufSpecMapper.map(gguf));
                }
            }
        } catch (RuntimeException e) {
            // Whatever is wrong with the model, serve will say it; the plan falls back to defaults.
        }
        return Optional.empty();
    }
}
