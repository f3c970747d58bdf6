package dev.pagoda.catalog.synthetic;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pagoda.catalog.config.Architecture;
import dev.pagoda.catalog.gguf.HfToGguf;
import dev.pagoda.catalog.safetensors.SafetensorsWriter;
import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.catalog.tensor.TensorData;
import dev.pagoda.catalog.tokenizer.GgufTokenizerMetadata;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Deterministic random-weight models in the real Hugging Face folder layout: the tiny fixtures
 * every module's tests use ({@code TestModels} in the test-jar). Same seed and shape, same bytes.
 *
 * <pre>{@code
 * Path dir = SyntheticModels.write(variant, tempDir);                       // F32, one file
 * List<SyntheticModels.Weight> expected = SyntheticModels.weights(variant); // the values written
 * Path gguf = SyntheticModels.writeGguf(variant, tempDir.resolve("m.gguf"), DType.Q8_0); // same model as GGUF
 * }</pre>
 *
 * <p>A written folder holds what transformers 5.x {@code save_pretrained} and the tokenizer
 * save write, and loads with {@code AutoModelForCausalLM.from_pretrained(dir)} and
 * {@code AutoTokenizer.from_pretrained(dir)}:
 * <ul>
 *   <li>{@code config.json}: the keys transformers 5 writes for the config class, in its style
 *       ({@code dtype}, {@code rope_parameters});</li>
 *   <li>{@code model.safetensors} with {@code __metadata__ {"format":"pt"}}, or two shards
 *       {@code model-0000N-of-00002.safetensors} plus {@code model.safetensors.index.json};</li>
 *   <li>{@code tokenizer.json}, {@code tokenizer_config.json} (with a Llama-3 chat template), from
 *       {@link SyntheticTokenizer}: vocabulary 512 with the special tokens; Llama-3
 *       pre-tokenization, except Qwen2/Qwen3 folders which get Qwen2's (NFC, single digits)
 *       because transformers 5 imposes that pipeline on those model types;</li>
 *   <li>{@code generation_config.json}.</li>
 * </ul>
 *
 * <p>Shapes come from {@link Shape}; the vocabulary (512) is the synthetic tokenizer's. Qwen3
 * gets its own explicit head_dim (in the fixtures 32, so q_proj is 64 -> 128, not square). Per
 * architecture:
 * <ul>
 *   <li>LLAMA: Llama-3.1 style, rope_theta 500000 with llama3 rope scaling (factor 8, low 1,
 *       high 4, original context 64 — with head_dim 16 the frequencies fall in all three bands:
 *       kept, smoothed, divided); eos ids [end_of_text, eot];</li>
 *   <li>MISTRAL: rope_theta 10000, sliding_window 4096 (longer than max_position_embeddings
 *       1024, so it never cuts);</li>
 *   <li>QWEN2: q/k/v biases, rope_theta 1000000, sliding window off;</li>
 *   <li>QWEN3: per-head q_norm/k_norm, head_dim 32, rope_theta 1000000.</li>
 * </ul>
 *
 * <p>Checked outside CI with transformers 5.18, tokenizers 0.23 and safetensors 0.8 by
 * {@code check_with_transformers.py} (in the catalog's test resources; {@code TestModels.main}
 * writes the folders it reads): same token ids from AutoTokenizer and raw tokenizers, chat
 * template renders, len(tokenizer) == vocab_size, the Rust library opens every weight file.
 *
 * <p>Weights: a {@link SplittableRandom} per tensor seeded from (variant seed, tensor name), so
 * every tensor is the same whatever else the model holds. Linear weights are uniform with
 * standard deviation 1/sqrt(in_features) (activations keep their scale through the layers),
 * embeddings uniform in [-1, 1], norm weights 1 ± 0.1, biases ± 0.1, lm_head standard deviation
 * 0.3 so logits spread over several units (greedy choices are never near-ties by construction of
 * continuous random values). BF16/F16 variants store the F32 values rounded to nearest even;
 * {@link #weights} returns exactly the stored values.
 */
public final class SyntheticModels {

    public static final String TRANSFORMERS_VERSION = "5.0.0";

    private static final SyntheticTokenizer TOKENIZER = SyntheticTokenizer.learn();

    private SyntheticModels() {}

    /**
     * Layer sizes of a synthetic model (the vocabulary is the synthetic tokenizer's).
     *
     * @param headDim     head size of every family but Qwen3
     * @param qwen3HeadDim Qwen3's explicit head_dim (deliberately not hidden / heads in the fixtures)
     */
    public record Shape(int hidden, int layers, int heads, int kvHeads, int headDim, int qwen3HeadDim, int intermediate) {
        /** The test fixtures: hidden 64, 2 layers, 4 heads, 2 KV heads, head_dim 16 (Qwen3 32), intermediate 128. */
        public static final Shape TINY = new Shape(64, 2, 4, 2, 16, 32, 128);
    }

    /**
     * One fixture model.
     *
     * @param architecture   model family
     * @param dtype          F32, BF16 or F16 storage
     * @param sharded        two safetensors shards plus the index instead of one file
     * @param tiedEmbeddings lm_head shares model.embed_tokens.weight (no lm_head.weight stored)
     * @param seed           weight seed
     * @param shape          layer sizes
     */
    public record Variant(Architecture architecture, DType dtype, boolean sharded, boolean tiedEmbeddings, long seed, Shape shape) {
        public Variant {
            if (dtype != DType.F32 && dtype != DType.BF16 && dtype != DType.F16) {
                throw new IllegalArgumentException("fixture weights are F32, BF16 or F16, not " + dtype);
            }
        }

        public Variant withDType(DType d) {
            return new Variant(architecture, d, sharded, tiedEmbeddings, seed, shape);
        }

        public Variant withSharded(boolean s) {
            return new Variant(architecture, dtype, s, tiedEmbeddings, seed, shape);
        }

        public Variant withTiedEmbeddings(boolean t) {
            return new Variant(architecture, dtype, sharded, t, seed, shape);
        }

        public Variant withSeed(long s) {
            return new Variant(architecture, dtype, sharded, tiedEmbeddings, s, shape);
        }

        public int headDim() {
            return architecture == Architecture.QWEN3 ? shape.qwen3HeadDim() : shape.headDim();
        }

        /** A folder name that tells variants apart, e.g. {@code qwen3-f32} or {@code llama-bf16-tied-sharded}. */
        public String name() {
            return architecture.hfModelType + "-" + dtype.name().toLowerCase()
                    + (tiedEmbeddings ? "-tied" : "") + (sharded ? "-sharded" : "") + (seed != 1 ? "-s" + seed : "");
        }
    }

    /**
     * One stored tensor's expected content.
     *
     * @param name   HF tensor name
     * @param shape  row-major, e.g. {@code [out, in]} for a linear weight
     * @param values row-major values exactly as stored (already rounded for BF16/F16)
     */
    public record Weight(String name, long[] shape, float[] values) {}

    /** The tokenizer every synthetic model uses (vocab_size = {@code tokenizer().size()}). */
    public static SyntheticTokenizer tokenizer() {
        return TOKENIZER;
    }

    /** Writes {@code variant} into {@code dir} (created if needed) and returns {@code dir}. */
    public static Path write(Variant variant, Path dir) {
        try {
            Files.createDirectories(dir);
            ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            Files.writeString(dir.resolve("config.json"), json.writeValueAsString(config(variant, json)));
            Files.writeString(dir.resolve("generation_config.json"),
                    json.writeValueAsString(generationConfig(variant, json)));
            TOKENIZER.write(dir, maxPositions(variant.architecture), tokenizerStyle(variant.architecture));
            writeWeights(variant, dir, json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    /**
     * Writes {@code variant} as one GGUF file, converted from the HF folder {@link #write} produces
     * exactly as llama.cpp's convert_hf_to_gguf.py would: {@link HfToGguf} for the weights (matrices
     * as {@code weightType}, vectors F32, Llama/Mistral q/k rows permuted) and
     * {@link GgufTokenizerMetadata#fromHfTokenizerJson} on the fixture's own tokenizer.json and
     * tokenizer_config.json (gpt2-style BPE, chat template included). general.name is
     * {@code variant.name()}.
     *
     * <p>Reading it back gives the HF folder's {@code ModelSpec} except what GGUF cannot carry:
     * a Mistral GGUF says architecture "llama"; Llama-3 rope scaling becomes the tensor
     * {@code rope_freqs.weight} (spec {@code ropeScaling} null); Mistral's sliding window is not
     * written; the torch dtype is "float32"/"float16" for F32/F16 files and null for quantized
     * ones; eos ids are tokenizer.ggml.eos_token_id (tokenizer_config's eos_token) plus the
     * &lt;|eot_id|&gt; control token llama.cpp also ends on.
     *
     * @param weightType F32, F16, Q8_0 or Q4_0 (every fixture row is a whole number of blocks)
     * @return {@code file}
     */
    public static Path writeGguf(Variant variant, Path file, DType weightType) {
        Path absolute = file.toAbsolutePath();
        Path hf = null;
        try {
            Files.createDirectories(absolute.getParent());
            hf = write(variant, Files.createTempDirectory(absolute.getParent(), ".hf-" + variant.name() + "-"));
            HfToGguf.convertFolder(hf, new HfToGguf.Options(weightType, variant.name()), absolute);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (hf != null) deleteTree(hf);
        }
    }

    /** Deletes a temporary folder and everything in it; a folder already gone (moved into place) is fine. */
    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The tensors {@link #write} stores for {@code variant}, in state-dict order. */
    public static List<Weight> weights(Variant v) {
        int d = v.shape.hidden(), q = v.shape.heads() * v.headDim(), kv = v.shape.kvHeads() * v.headDim(), ff = v.shape.intermediate();
        int vocab = TOKENIZER.size();
        List<Weight> out = new ArrayList<>();
        out.add(uniform(v, "model.embed_tokens.weight", new long[] {vocab, d}, 0, 1));
        for (int l = 0; l < v.shape.layers(); l++) {
            String p = "model.layers." + l + ".";
            out.add(uniform(v, p + "input_layernorm.weight", new long[] {d}, 1, 0.1));
            out.add(linear(v, p + "self_attn.q_proj.weight", q, d));
            out.add(linear(v, p + "self_attn.k_proj.weight", kv, d));
            out.add(linear(v, p + "self_attn.v_proj.weight", kv, d));
            if (v.architecture == Architecture.QWEN2) {
                out.add(uniform(v, p + "self_attn.q_proj.bias", new long[] {q}, 0, 0.1));
                out.add(uniform(v, p + "self_attn.k_proj.bias", new long[] {kv}, 0, 0.1));
                out.add(uniform(v, p + "self_attn.v_proj.bias", new long[] {kv}, 0, 0.1));
            }
            out.add(linear(v, p + "self_attn.o_proj.weight", d, q));
            if (v.architecture == Architecture.QWEN3) {
                out.add(uniform(v, p + "self_attn.q_norm.weight", new long[] {v.headDim()}, 1, 0.1));
                out.add(uniform(v, p + "self_attn.k_norm.weight", new long[] {v.headDim()}, 1, 0.1));
            }
            out.add(uniform(v, p + "post_attention_layernorm.weight", new long[] {d}, 1, 0.1));
            out.add(linear(v, p + "mlp.gate_proj.weight", ff, d));
            out.add(linear(v, p + "mlp.up_proj.weight", ff, d));
            out.add(linear(v, p + "mlp.down_proj.weight", d, ff));
        }
        out.add(uniform(v, "model.norm.weight", new long[] {d}, 1, 0.1));
        if (!v.tiedEmbeddings) out.add(uniform(v, "lm_head.weight", new long[] {vocab, d}, 0, 0.3 * Math.sqrt(3)));
        return out;
    }

    private static Weight linear(Variant v, String name, int out, int in) {
        // uniform(-a, a) has standard deviation a / sqrt(3); a = sqrt(3 / in) gives 1 / sqrt(in)
        return uniform(v, name, new long[] {out, in}, 0, Math.sqrt(3.0 / in));
    }

    private static Weight uniform(Variant v, String name, long[] shape, double center, double halfWidth) {
        int n = Math.toIntExact(shape.length == 1 ? shape[0] : shape[0] * shape[1]);
        SplittableRandom random = new SplittableRandom(v.seed * 0x9E3779B97F4A7C15L + fnv1a(name));
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = storedValue(v.dtype, (float) (center + halfWidth * (2 * random.nextDouble() - 1)));
        }
        return new Weight(name, shape, values);
    }

    /** The float a value becomes once stored as {@code dtype} (round to nearest even). */
    public static float storedValue(DType dtype, float f) {
        return switch (dtype) {
            case F32 -> f;
            case F16 -> Float.float16ToFloat(Float.floatToFloat16(f));
            case BF16 -> Float.intBitsToFloat(toBf16Bits(f) << 16);
            default -> throw new IllegalArgumentException(dtype.name());
        };
    }

    private static int toBf16Bits(float f) {
        int bits = Float.floatToRawIntBits(f);
        return (bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16; // finite inputs only (fixture values are)
    }

    private static long fnv1a(String s) {
        long h = 0xcbf29ce484222325L;
        for (char c : s.toCharArray()) {
            h ^= c;
            h *= 0x100000001b3L;
        }
        return h;
    }

    private static TensorData encode(Weight w, DType dtype) {
        int bytesPer = dtype == DType.F32 ? 4 : 2;
        ByteBuffer buf = ByteBuffer.allocate(w.values.length * bytesPer).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : w.values) {
            switch (dtype) {
                case F32 -> buf.putFloat(f);
                case F16 -> buf.putShort(Float.floatToFloat16(f));
                case BF16 -> buf.putShort((short) toBf16Bits(f));
                default -> throw new IllegalArgumentException(dtype.name());
            }
        }
        return new TensorData(w.name, dtype, w.shape, MemorySegment.ofArray(buf.array()));
    }

    private static void writeWeights(Variant v, Path dir, ObjectMapper json) throws IOException {
        List<TensorData> tensors = weights(v).stream().map(w -> encode(w, v.dtype)).toList();
        Map<String, String> meta = Map.of("format", "pt");
        if (!v.sharded) {
            SafetensorsWriter.write(dir.resolve("model.safetensors"), tensors, meta);
            return;
        }
        // Split in state-dict order at half the bytes, as save_pretrained's size-based sharding does.
        long total = tensors.stream().mapToLong(t -> t.data().byteSize()).sum();
        List<List<TensorData>> shards = List.of(new ArrayList<>(), new ArrayList<>());
        long running = 0;
        for (TensorData t : tensors) {
            shards.get(running < total / 2 ? 0 : 1).add(t);
            running += t.data().byteSize();
        }
        ObjectNode index = json.createObjectNode();
        index.putObject("metadata").put("total_size", total);
        Map<String, String> weightMap = new TreeMap<>();
        for (int s = 0; s < 2; s++) {
            String file = String.format("model-%05d-of-%05d.safetensors", s + 1, 2);
            SafetensorsWriter.write(dir.resolve(file), shards.get(s), meta);
            for (TensorData t : shards.get(s)) weightMap.put(t.name(), file);
        }
        ObjectNode map = index.putObject("weight_map");
        weightMap.forEach(map::put);
        Files.writeString(dir.resolve("model.safetensors.index.json"), json.writeValueAsString(index));
    }

    /** The pre-tokenizer family transformers 5 expects for the architecture's model_type. */
    public static SyntheticTokenizer.Style tokenizerStyle(Architecture a) {
        return a == Architecture.QWEN2 || a == Architecture.QWEN3 ? SyntheticTokenizer.Style.QWEN2 : SyntheticTokenizer.Style.LLAMA3;
    }

    private static int maxPositions(Architecture a) {
        return switch (a) {
            case LLAMA -> 512;
            case MISTRAL -> 1024;
            case QWEN2, QWEN3 -> 2048;
        };
    }

    private static double ropeTheta(Architecture a) {
        return switch (a) {
            case LLAMA -> 500000.0;
            case MISTRAL -> 10000.0;
            case QWEN2, QWEN3 -> 1000000.0;
        };
    }

    /** config.json with the keys transformers 5 writes for each config class, sorted as it sorts them. */
    private static ObjectNode config(Variant v, ObjectMapper json) {
        Architecture a = v.architecture;
        int bos = TOKENIZER.specialId(SyntheticTokenizer.BEGIN_OF_TEXT);
        int eot = TOKENIZER.specialId(SyntheticTokenizer.EOT);
        int endOfText = TOKENIZER.specialId(SyntheticTokenizer.END_OF_TEXT);
        TreeMap<String, Object> c = new TreeMap<>();
        c.put("architectures", List.of(a.hfClassName));
        c.put("attention_dropout", 0.0);
        c.put("bos_token_id", bos);
        c.put("dtype", switch (v.dtype) {
            case BF16 -> "bfloat16";
            case F16 -> "float16";
            default -> "float32";
        });
        c.put("eos_token_id", a == Architecture.LLAMA ? List.of(endOfText, eot) : eot);
        c.put("hidden_act", "silu");
        c.put("hidden_size", v.shape.hidden());
        c.put("initializer_range", 0.02);
        c.put("intermediate_size", v.shape.intermediate());
        c.put("max_position_embeddings", maxPositions(a));
        c.put("model_type", a.hfModelType);
        c.put("num_attention_heads", v.shape.heads());
        c.put("num_hidden_layers", v.shape.layers());
        c.put("num_key_value_heads", v.shape.kvHeads());
        c.put("pad_token_id", null);
        c.put("rms_norm_eps", a == Architecture.QWEN2 || a == Architecture.QWEN3 ? 1e-6 : 1e-5);
        c.put("tie_word_embeddings", v.tiedEmbeddings);
        c.put("transformers_version", TRANSFORMERS_VERSION);
        c.put("use_cache", true);
        c.put("vocab_size", TOKENIZER.size());
        Map<String, Object> rope = new TreeMap<>();
        rope.put("rope_theta", ropeTheta(a));
        rope.put("rope_type", "default");
        switch (a) {
            case LLAMA -> {
                c.put("attention_bias", false);
                c.put("head_dim", v.headDim());
                c.put("mlp_bias", false);
                c.put("pretraining_tp", 1);
                rope.put("rope_type", "llama3");
                rope.put("factor", 8.0);
                rope.put("low_freq_factor", 1.0);
                rope.put("high_freq_factor", 4.0);
                rope.put("original_max_position_embeddings", 64);
            }
            case MISTRAL -> {
                c.put("head_dim", v.headDim());
                c.put("sliding_window", 4096);
            }
            case QWEN2, QWEN3 -> {
                c.put("layer_types", java.util.Collections.nCopies(v.shape.layers(), "full_attention"));
                c.put("max_window_layers", v.shape.layers());
                c.put("sliding_window", null);
                c.put("use_sliding_window", false);
                if (a == Architecture.QWEN3) {
                    c.put("attention_bias", false);
                    c.put("head_dim", v.headDim());
                }
            }
        }
        c.put("rope_parameters", rope);
        return json.valueToTree(c);
    }

    private static ObjectNode generationConfig(Variant v, ObjectMapper json) {
        ObjectNode g = json.createObjectNode();
        g.put("bos_token_id", TOKENIZER.specialId(SyntheticTokenizer.BEGIN_OF_TEXT));
        g.put("do_sample", true);
        ArrayNode eos = g.putArray("eos_token_id");
        eos.add(TOKENIZER.specialId(SyntheticTokenizer.END_OF_TEXT)).add(TOKENIZER.specialId(SyntheticTokenizer.EOT));
        g.put("temperature", 0.6);
        g.put("top_p", 0.9);
        g.put("transformers_version", TRANSFORMERS_VERSION);
        return g;
    }
}
