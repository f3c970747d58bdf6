package dev.pagoda.catalog.testing;

import dev.pagoda.catalog.config.Architecture;
import dev.pagoda.catalog.synthetic.SyntheticModels;
import dev.pagoda.catalog.synthetic.SyntheticModels.Shape;
import dev.pagoda.catalog.synthetic.SyntheticTokenizer;
import dev.pagoda.catalog.tensor.DType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The tiny fixture models every module's tests use: {@link SyntheticModels} at
 * {@link Shape#TINY}, one preset per architecture. See {@link SyntheticModels} for what a written
 * folder holds and how the weights are drawn.
 *
 * <pre>{@code
 * Path dir = TestModels.write(TestModels.qwen3(), tempDir);          // F32, one file
 * Path bf16 = TestModels.write(TestModels.llama().withDType(DType.BF16).withSharded(true), other);
 * List<SyntheticModels.Weight> expected = TestModels.weights(TestModels.qwen3()); // the values written
 * Path gguf = TestModels.writeGguf(TestModels.qwen3(), tempDir.resolve("qwen3.gguf"), DType.Q8_0); // same model as GGUF
 * }</pre>
 */
public final class TestModels {

    public static final int HIDDEN = Shape.TINY.hidden();
    public static final int LAYERS = Shape.TINY.layers();
    public static final int HEADS = Shape.TINY.heads();
    public static final int KV_HEADS = Shape.TINY.kvHeads();
    public static final int HEAD_DIM = Shape.TINY.headDim();
    public static final int QWEN3_HEAD_DIM = Shape.TINY.qwen3HeadDim();
    public static final int INTERMEDIATE = Shape.TINY.intermediate();

    private TestModels() {}

    /** A fixture: a synthetic model of the tiny shape. */
    public record Variant(Architecture architecture, DType dtype, boolean sharded, boolean tiedEmbeddings, long seed) {
        public Variant {
            synthetic(architecture, dtype, sharded, tiedEmbeddings, seed); // validates
        }

        public Variant withDType(DType d) {
            return new Variant(architecture, d, sharded, tiedEmbeddings, seed);
        }

        public Variant withSharded(boolean s) {
            return new Variant(architecture, dtype, s, tiedEmbeddings, seed);
        }

        public Variant withTiedEmbeddings(boolean t) {
            return new Variant(architecture, dtype, sharded, t, seed);
        }

        public Variant withSeed(long s) {
            return new Variant(architecture, dtype, sharded, tiedEmbeddings, s);
        }

        public int headDim() {
            return synthetic().headDim();
        }

        /** A folder name that tells variants apart, e.g. {@code qwen3-f32} or {@code llama-bf16-tied-sharded}. */
        public String name() {
            return synthetic().name();
        }

        public SyntheticModels.Variant synthetic() {
            return synthetic(architecture, dtype, sharded, tiedEmbeddings, seed);
        }

        private static SyntheticModels.Variant synthetic(Architecture a, DType d, boolean sharded, boolean tied, long seed) {
            return new SyntheticModels.Variant(a, d, sharded, tied, seed, Shape.TINY);
        }
    }

    public static Variant llama() {
        return new Variant(Architecture.LLAMA, DType.F32, false, false, 1);
    }

    public static Variant mistral() {
        return new Variant(Architecture.MISTRAL, DType.F32, false, false, 1);
    }

    public static Variant qwen2() {
        return new Variant(Architecture.QWEN2, DType.F32, false, false, 1);
    }

    public static Variant qwen3() {
        return new Variant(Architecture.QWEN3, DType.F32, false, false, 1);
    }

    /** Llama-3.2 style: tied input and output embeddings. */
    public static Variant tiedLlama() {
        return llama().withTiedEmbeddings(true);
    }

    /** One preset per architecture plus the tied variant. */
    public static List<Variant> all() {
        return List.of(llama(), mistral(), qwen2(), qwen3(), tiedLlama());
    }

    /**
     * Writes every preset (plus BF16 and sharded forms) into sub-folders of {@code args[0]}, for
     * checks outside the JVM (e.g. loading them with transformers on the GPU machine).
     */
    public static void main(String... args) {
        if (args.length != 1) throw new IllegalArgumentException("usage: TestModels OUTPUT_DIR");
        List<Variant> variants = new ArrayList<>(all());
        variants.add(qwen3().withDType(DType.BF16));
        variants.add(llama().withDType(DType.F16).withSharded(true));
        for (Variant v : variants) System.out.println(write(v, Path.of(args[0]).resolve(v.name())));
    }

    public static SyntheticTokenizer tokenizer() {
        return SyntheticModels.tokenizer();
    }

    public static Path write(Variant variant, Path dir) {
        return SyntheticModels.write(variant.synthetic(), dir);
    }

    public static Path writeGguf(Variant variant, Path file, DType weightType) {
        return SyntheticModels.writeGguf(variant.synthetic(), file, weightType);
    }

    public static List<SyntheticModels.Weight> weights(Variant v) {
        return SyntheticModels.weights(v.synthetic());
    }

    public static float storedValue(DType dtype, float f) {
        return SyntheticModels.storedValue(dtype, f);
    }

    public static SyntheticTokenizer.Style tokenizerStyle(Architecture a) {
        return SyntheticModels.tokenizerStyle(a);
    }
}
