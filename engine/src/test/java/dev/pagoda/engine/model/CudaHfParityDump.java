package dev.pagoda.engine.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pagoda.catalog.safetensors.HfWeightSource;
import dev.pagoda.engine.cuda.Cublas;
import dev.pagoda.engine.cuda.CudaDevice;
import dev.pagoda.engine.cuda.kernels.CudaKernels;
import dev.pagoda.engine.backend.cuda.CudaModel;
import dev.pagoda.engine.backend.cuda.CudaStepExecutor;
import dev.pagoda.engine.backend.cuda.StepExecutor;
import dev.pagoda.engine.backend.cuda.StepExecutor.RowSampling;
import dev.pagoda.engine.model.arch.Architectures;
import dev.pagoda.engine.model.PagedSequences.Chunk;
import dev.pagoda.engine.model.PagedSequences.Seq;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The CUDA backend's logits for the sequences {@link HfParityDump} wrote (run it first, same
 * OUT_DIR): {@code OUT_DIR/NAME.cuda.f32}, same order, so {@code tools/hf-parity.sh} compares
 * them with transformers in bfloat16. Each sequence runs as a prefill of all but its last 8
 * tokens, then 8 one-token decode steps, so both attention kernels and the decode graphs (the
 * first decode runs eagerly and is captured, the rest replay) produce logits.
 */
public final class CudaHfParityDump {

    private static final int DECODES = 8;

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args[0]);
        ObjectMapper json = new ObjectMapper();
        try (CudaDevice device = CudaDevice.open(0); CudaKernels kernels = CudaKernels.load(device); Cublas blas = new Cublas(device)) {
            System.out.println("device: " + device.describe());
            try (var names = Files.list(out)) {
                for (Path ids : names.filter(p -> p.getFileName().toString().endsWith(".ids.json")).sorted().toList()) {
                    String name = ids.getFileName().toString().replace(".ids.json", "");
                    int[][] sequences = json.readValue(ids.toFile(), int[][].class);
                    dump(device, kernels, blas, out.resolve(name), sequences, out.resolve(name + ".cuda.f32"));
                    System.out.println("wrote " + name + ".cuda.f32");
                }
            }
        }
    }

    private static void dump(CudaDevice device, CudaKernels kernels, Cublas blas, Path modelDir, int[][] sequences, Path target)
            throws IOException {
        try (HfWeightSource source = HfWeightSource.open(modelDir);
             CudaModel llama = new CudaModel(device, kernels, blas, source, Architectures::create, new CudaModel.Limits(128, 128, 128, 16, 4))) {
            llama.allocateKvCache(64);
            int vocab = source.spec().vocabSize();
            Random random = new Random(7);
            try (CudaStepExecutor executor = new CudaStepExecutor(llama, true); OutputStream raw = Files.newOutputStream(target)) {
                for (int[] ids : sequences) {
                    PagedSequences paged = new PagedSequences(64, 16, random);
                    Seq seq = new Seq(ids);
                    int prefill = Math.max(1, ids.length - DECODES);
                    write(raw, executor, paged.step(List.of(new Chunk(seq, prefill))), vocab);
                    for (int i = prefill; i < ids.length; i++) write(raw, executor, paged.step(List.of(new Chunk(seq, 1))), vocab);
                }
            }
        }
    }

    private static void write(OutputStream raw, CudaStepExecutor executor, ForwardBatch batch, int vocab) throws IOException {
        RowSampling[] rows = new RowSampling[batch.logitRows().length];
        Arrays.fill(rows, new RowSampling(0f, 0, 1f, 0f, 0L, 0, true));
        StepExecutor.Result result = executor.run(batch, List.of(), rows);
        ByteBuffer bytes = ByteBuffer.allocate(rows.length * vocab * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int r = 0; r < rows.length; r++) {
            MemorySegment row = result.logits(r);
            for (int v = 0; v < vocab; v++) bytes.putFloat(row.getAtIndex(ValueLayout.JAVA_FLOAT, v));
        }
        raw.write(bytes.array());
    }
}
