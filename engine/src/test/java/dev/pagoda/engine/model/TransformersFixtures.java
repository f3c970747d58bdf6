package dev.pagoda.engine.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The committed transformers fixtures (test resources {@code model/transformers}, made by its
 * {@code make_fixtures.py}): a tiny HF model folder per architecture, token sequences, and the
 * float32 logits transformers computed for every position.
 */
public final class TransformersFixtures {

    public static final List<String> NAMES = List.of("llama3-scaled", "mistral-window", "qwen2-bias-tied", "qwen3-qknorm");

    /** One sequence and transformers' logits for each of its positions. */
    record Sequence(int[] ids, float[][] logits) {}

    private TransformersFixtures() {}

    public static Path folder(String name) {
        try {
            return Path.of(TransformersFixtures.class.getResource("transformers/" + name + "/config.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Sequence> sequences(String name, int vocab) {
        Path dir = folder(name);
        try {
            int[][] ids = new ObjectMapper().readValue(dir.resolve("ids.json").toFile(), int[][].class);
            ByteBuffer raw = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("logits.f32"))).order(ByteOrder.LITTLE_ENDIAN);
            List<Sequence> out = new ArrayList<>();
            for (int[] seq : ids) {
                float[][] logits = new float[seq.length][vocab];
                for (float[] row : logits) for (int v = 0; v < vocab; v++) row[v] = raw.getFloat();
                out.add(new Sequence(seq, logits));
            }
            if (raw.hasRemaining()) throw new IllegalStateException(name + ": logits.f32 holds more than ids.json's positions");
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** log-softmax of a row, in double. */
    static double[] logSoftmax(float[] row) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : row) max = Math.max(max, v);
        double sum = 0;
        for (float v : row) sum += Math.exp(v - max);
        double log = Math.log(sum) + max;
        double[] out = new double[row.length];
        for (int i = 0; i < row.length; i++) out[i] = row[i] - log;
        return out;
    }
}
