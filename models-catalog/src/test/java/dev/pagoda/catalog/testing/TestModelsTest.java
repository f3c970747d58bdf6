package dev.pagoda.catalog.testing;

import dev.pagoda.catalog.synthetic.SyntheticTokenizer;
import dev.pagoda.catalog.synthetic.SyntheticModels;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pagoda.catalog.config.Architecture;
import dev.pagoda.catalog.config.HfConfigReader;
import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.config.RopeScaling;
import dev.pagoda.catalog.safetensors.HfWeightSource;
import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.catalog.tensor.TensorData;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class TestModelsTest {

    @TempDir
    Path tmp;

    static Stream<TestModels.Variant> variants() {
        List<TestModels.Variant> v = new ArrayList<>(TestModels.all());
        v.add(TestModels.qwen3().withDType(DType.BF16));
        v.add(TestModels.qwen2().withDType(DType.F16).withSharded(true));
        v.add(TestModels.tiedLlama().withSharded(true));
        return v.stream();
    }

    /** The spec each preset is documented to have, written out by hand (not derived from the fixture code). */
    private static ModelSpec expectedSpec(TestModels.Variant v) {
        int vocab = 512, bos = 507, endOfText = 508, eot = 511;
        ModelSpec.Builder tiny = ModelSpec.builder(v.architecture())
                .hiddenSize(64).numLayers(2).numHeads(4).numKvHeads(2).headDim(16).intermediateSize(128).vocabSize(vocab)
                .tieWordEmbeddings(v.tiedEmbeddings()).torchDtype(dtypeName(v)).bosTokenIds(bos).eosTokenIds(eot);
        return switch (v.architecture()) {
            case LLAMA -> tiny.rmsNormEps(1e-5).ropeTheta(500000).maxPositionEmbeddings(512)
                    .ropeScaling(new RopeScaling(RopeScaling.Type.LLAMA3, 8, 64, 1, 4, 32, 1, Double.NaN))
                    .eosTokenIds(endOfText, eot).build();
            case MISTRAL -> tiny.rmsNormEps(1e-5).ropeTheta(10000).maxPositionEmbeddings(1024).slidingWindow(4096).build();
            case QWEN2 -> tiny.rmsNormEps(1e-6).ropeTheta(1e6).maxPositionEmbeddings(2048).attentionBias(true).build();
            case QWEN3 -> tiny.rmsNormEps(1e-6).ropeTheta(1e6).maxPositionEmbeddings(2048).headDim(32).qkNorm(true).build();
        };
    }

    private static String dtypeName(TestModels.Variant v) {
        return switch (v.dtype()) {
            case BF16 -> "bfloat16";
            case F16 -> "float16";
            default -> "float32";
        };
    }

    @ParameterizedTest
    @MethodSource("variants")
    void everyVariantReadsBackExactly(TestModels.Variant v) {
        Path dir = TestModels.write(v, tmp.resolve(v.name()));
        assertEquals(v.sharded(), Files.exists(dir.resolve("model.safetensors.index.json")), v.name());
        assertEquals(!v.sharded(), Files.exists(dir.resolve("model.safetensors")), v.name());
        try (HfWeightSource source = HfWeightSource.open(dir)) {
            assertEquals(expectedSpec(v), source.spec(), v.name());

            List<SyntheticModels.Weight> expected = TestModels.weights(v);
            assertEquals(expectedNames(v), new HashSet<>(source.tensorNames()), v.name());
            long elements = 0;
            for (SyntheticModels.Weight w : expected) {
                TensorData t = source.tensor(w.name());
                assertEquals(v.dtype(), t.dtype(), w.name());
                assertArrayEquals(w.shape(), t.shape(), w.name());
                assertArrayEquals(w.values(), decode(t), w.name());
                elements += t.elementCount();
            }
            assertEquals(elements, source.spec().parameterCount(), v.name() + ": parameterCount vs stored elements");
        }
    }

    /** The HF names, listed independently of the fixture's generation loop. */
    private static HashSet<String> expectedNames(TestModels.Variant v) {
        HashSet<String> names = new HashSet<>(List.of("model.embed_tokens.weight", "model.norm.weight"));
        if (!v.tiedEmbeddings()) names.add("lm_head.weight");
        for (int l = 0; l < 2; l++) {
            for (String s : List.of("input_layernorm.weight", "post_attention_layernorm.weight",
                    "self_attn.q_proj.weight", "self_attn.k_proj.weight", "self_attn.v_proj.weight",
                    "self_attn.o_proj.weight", "mlp.gate_proj.weight", "mlp.up_proj.weight", "mlp.down_proj.weight")) {
                names.add("model.layers." + l + "." + s);
            }
            if (v.architecture() == Architecture.QWEN2) {
                for (String s : List.of("q", "k", "v")) names.add("model.layers." + l + ".self_attn." + s + "_proj.bias");
            }
            if (v.architecture() == Architecture.QWEN3) {
                names.add("model.layers." + l + ".self_attn.q_norm.weight");
                names.add("model.layers." + l + ".self_attn.k_norm.weight");
            }
        }
        return names;
    }

    /** Decodes stored bytes with plain bit arithmetic (independent of the fixture's encoder). */
    private static float[] decode(TensorData t) {
        int n = Math.toIntExact(t.elementCount());
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = switch (t.dtype()) {
                case F32 -> t.data().get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 4L * i);
                case BF16 -> Float.intBitsToFloat(
                        (t.data().get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 2L * i) & 0xFFFF) << 16);
                case F16 -> halfToFloat(t.data().get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 2L * i));
                default -> throw new AssertionError(t.dtype());
            };
        }
        return out;
    }

    /** IEEE half to float by hand: sign, 5-bit exponent (bias 15), 10-bit mantissa. */
    private static float halfToFloat(short h) {
        int sign = (h >> 15) & 1, exp = (h >> 10) & 0x1F, mant = h & 0x3FF;
        double v = exp == 0 ? mant / 1024.0 * Math.pow(2, -14) : (1 + mant / 1024.0) * Math.pow(2, exp - 15);
        return (float) (sign == 1 ? -v : v);
    }

    @Test
    void bf16AndF16RoundTheF32ValuesToNearest() {
        List<SyntheticModels.Weight> f32 = TestModels.weights(TestModels.llama());
        List<SyntheticModels.Weight> bf16 = TestModels.weights(TestModels.llama().withDType(DType.BF16));
        for (int i = 0; i < f32.size(); i++) {
            float[] a = f32.get(i).values(), b = bf16.get(i).values();
            for (int j = 0; j < a.length; j++) {
                // bf16 keeps 8 significant bits: relative error at most 2^-8 (half an ulp)
                assertTrue(Math.abs(a[j] - b[j]) <= Math.abs(a[j]) * 0x1p-8, f32.get(i).name() + "[" + j + "]");
            }
        }
    }

    @Test
    void writingIsDeterministic() throws IOException {
        Path a = TestModels.write(TestModels.qwen2(), tmp.resolve("a"));
        Path b = TestModels.write(TestModels.qwen2(), tmp.resolve("b"));
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
                "generation_config.json")) {
            assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), f);
        }
        Path c = TestModels.write(TestModels.qwen2().withSeed(2), tmp.resolve("c"));
        assertFalse(Arrays.equals(Files.readAllBytes(a.resolve("model.safetensors")),
                Files.readAllBytes(c.resolve("model.safetensors"))), "another seed gives other weights");
    }

    @Test
    void configCarriesTheTransformers5Keys() throws IOException {
        Path dir = TestModels.write(TestModels.qwen3(), tmp.resolve("q3"));
        JsonNode c = new ObjectMapper().readTree(dir.resolve("config.json").toFile());
        assertEquals("Qwen3ForCausalLM", c.get("architectures").get(0).asText());
        assertEquals("qwen3", c.get("model_type").asText());
        assertEquals("float32", c.get("dtype").asText());
        assertEquals("default", c.get("rope_parameters").get("rope_type").asText());
        assertEquals(32, c.get("head_dim").asInt());
        var gen = HfConfigReader.readGenerationDefaults(dir);
        assertEquals(List.of(508, 511), gen.eosTokenIds());
        assertEquals(0.6, gen.temperature());
    }

    // ---- tokenizer ------------------------------------------------------------------------------

    private static final List<String> TEXTS = List.of(
            "Hello, world! How are you today?",
            "The quick brown fox jumps over the lazy dog.",
            "def generate(model, prompt):\n    return model.forward(tokens)\n",
            "  leading spaces,\ttabs\tand\n\n\nnewlines  ",
            "Numbers 12345 and 3.14159; CamelCaseWords don't, won't, I'll, we've",
            "unseen wordz: xylophone quixotic zephyr",
            "café naïve résumé 日本語 🙂 emoji",
            "decomposed: cafe\u0301 (NFC folds it for Qwen)");

    private HuggingFaceTokenizer load(Path dir, boolean addSpecial) throws IOException {
        return HuggingFaceTokenizer.builder().optTokenizerPath(dir).optAddSpecialTokens(addSpecial)
                .optTruncation(false).optPadding(false).build();
    }

    static Stream<TestModels.Variant> tokenizerStyles() {
        return Stream.of(TestModels.llama(), TestModels.qwen3());
    }

    @ParameterizedTest
    @MethodSource("tokenizerStyles")
    void tokenizerLoadsInHfTokenizersAndRoundTrips(TestModels.Variant v) throws IOException {
        Path dir = TestModels.write(v, tmp.resolve("tok"));
        SyntheticTokenizer bpe = TestModels.tokenizer();
        SyntheticTokenizer.Style style = TestModels.tokenizerStyle(v.architecture());
        assertEquals(512, bpe.size(), "vocab_size of the fixtures");
        try (HuggingFaceTokenizer tok = load(dir, false)) {
            List<String> texts = new ArrayList<>(TEXTS);
            texts.addAll(SyntheticTokenizer.corpus().lines().toList());
            for (String text : texts) {
                long[] ids = tok.encode(text).getIds();
                assertArrayEquals(referenceEncode(bpe, style, text), ids, style + " ids of: " + text);
                String normalized = style.nfc ? Normalizer.normalize(text, Normalizer.Form.NFC) : text;
                assertEquals(normalized, tok.decode(ids, true), style + " round trip of: " + text);
            }
            // merges really compress: common English needs far fewer tokens than bytes
            String sentence = "The model reads the tokens and the cache stores the values.";
            assertTrue(tok.encode(sentence).getIds().length < sentence.length() / 2,
                    "learned merges should compress common text");
        }
    }

    @Test
    void specialTokensAreSingleIdsAndBosIsAdded() throws IOException {
        Path dir = TestModels.write(TestModels.llama(), tmp.resolve("tok"));
        SyntheticTokenizer bpe = TestModels.tokenizer();
        try (HuggingFaceTokenizer plain = load(dir, false); HuggingFaceTokenizer withBos = load(dir, true)) {
            String chat = "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>";
            long[] ids = plain.encode(chat).getIds();
            assertEquals(bpe.specialId(SyntheticTokenizer.START_HEADER), ids[0]);
            assertEquals(bpe.specialId(SyntheticTokenizer.END_HEADER), ids[2]);
            assertEquals(bpe.specialId(SyntheticTokenizer.EOT), ids[ids.length - 1]);
            assertEquals(chat, plain.decode(ids, false));

            long[] bos = withBos.encode("Hello").getIds();
            assertEquals(bpe.specialId(SyntheticTokenizer.BEGIN_OF_TEXT), bos[0]);
            assertArrayEquals(plain.encode("Hello").getIds(), Arrays.copyOfRange(bos, 1, bos.length));
        }
        JsonNode config = new ObjectMapper().readTree(dir.resolve("tokenizer_config.json").toFile());
        assertEquals(SyntheticTokenizer.BEGIN_OF_TEXT, config.get("bos_token").asText());
        assertEquals(SyntheticTokenizer.EOT, config.get("eos_token").asText());
        assertTrue(config.get("chat_template").asText().contains("add_generation_prompt"));
    }

    /**
     * Textbook byte-level BPE (GPT-2's {@code bpe()}): normalize (NFC for Qwen), pre-tokenize, map bytes to the unicode
     * alphabet, take a piece whole if it is a vocabulary entry (ignore_merges), else repeatedly
     * merge the adjacent pair of lowest merge rank.
     */
    private static long[] referenceEncode(SyntheticTokenizer bpe, SyntheticTokenizer.Style style, String text) {
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < bpe.vocab().size(); i++) ids.put(bpe.vocab().get(i), i);
        Map<String, Integer> rank = new HashMap<>();
        for (int i = 0; i < bpe.merges().size(); i++) rank.putIfAbsent(bpe.merges().get(i)[0] + " " + bpe.merges().get(i)[1], i);
        List<Long> out = new ArrayList<>();
        String normalized = style.nfc ? Normalizer.normalize(text, Normalizer.Form.NFC) : text;
        for (String piece : SyntheticTokenizer.preTokenize(normalized, style.splitRegex)) {
            List<String> word = new ArrayList<>(SyntheticTokenizer.symbols(piece));
            String whole = String.join("", word);
            if (ids.containsKey(whole)) {
                out.add((long) ids.get(whole));
                continue;
            }
            while (word.size() > 1) {
                int best = -1, bestRank = Integer.MAX_VALUE;
                for (int i = 0; i + 1 < word.size(); i++) {
                    Integer r = rank.get(word.get(i) + " " + word.get(i + 1));
                    if (r != null && r < bestRank) {
                        bestRank = r;
                        best = i;
                    }
                }
                if (best < 0) break;
                word.set(best, word.get(best) + word.remove(best + 1));
            }
            for (String s : word) out.add((long) ids.get(s));
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }
}
