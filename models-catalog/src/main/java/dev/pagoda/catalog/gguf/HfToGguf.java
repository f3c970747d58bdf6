package dev.pagoda.catalog.gguf;

import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.config.RopeScaling;
import dev.pagoda.catalog.quant.Dequantize;
import dev.pagoda.catalog.quant.Quantize;
import dev.pagoda.catalog.safetensors.HfWeightSource;
import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.catalog.tensor.TensorData;
import dev.pagoda.catalog.tensor.WeightSource;
import dev.pagoda.catalog.tokenizer.GgufTokenizerMetadata;
import dev.pagoda.catalog.tokenizer.TokenizerConfig;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongUnaryOperator;

/**
 * Converts any {@link WeightSource} (HF names and layout) to a GGUF file llama.cpp can load, as
 * {@code convert_hf_to_gguf.py} does: general.* and {arch}.* metadata from the {@link ModelSpec},
 * the caller's tokenizer.ggml.* metadata, tensors renamed to GGUF names, matrices encoded as the
 * chosen type while norms, biases and other vectors stay float32, and for Llama/Mistral the q/k
 * rows permuted into llama.cpp's interleaved RoPE layout. Tensors are converted one at a time,
 * row by row, so memory stays at about one encoded tensor.
 */
public final class HfToGguf {

    /**
     * @param weightType F32, F16, Q8_0 or Q4_0 for matrices; a matrix whose rows are not a whole
     *                   number of blocks falls back to F16, as gguf-py does
     * @param modelName  written as general.name; may be null
     */
    public record Options(DType weightType, String modelName) {
        public Options {
            if (!Quantize.canEncode(weightType)) {
                throw new IllegalArgumentException("cannot write " + weightType + " (supported: F32, F16, Q8_0, Q4_0)");
            }
        }
    }

    private HfToGguf() {}

    /**
     * @param tokenizerMetadata tokenizer.ggml.* keys in the reader's untyped form; written after the
     *                          model keys and taking precedence for bos/eos ids
     */
    public static void convert(WeightSource source, Map<String, Object> tokenizerMetadata, Options options, Path target)
            throws IOException {
        ModelSpec spec = source.spec();
        GgufWriter writer = new GgufWriter();
        writeModelMetadata(writer, spec, options);
        for (Map.Entry<String, Object> e : tokenizerMetadata.entrySet()) {
            MetadataTypes.Typed typed = MetadataTypes.infer(e.getKey(), e.getValue());
            writer.put(e.getKey(), typed.type(), typed.value());
        }
        putTokenIdIfAbsent(writer, tokenizerMetadata, "tokenizer.ggml.bos_token_id", spec.bosTokenIds());
        putTokenIdIfAbsent(writer, tokenizerMetadata, "tokenizer.ggml.eos_token_id", spec.eosTokenIds());

        for (String name : source.tensorNames()) {
            if (name.endsWith("rotary_emb.inv_freq")) continue; // recomputed from rope settings
            if (spec.tieWordEmbeddings() && name.equals("lm_head.weight")) continue;
            String ggufName = GgufTensorNames.toGguf(name).orElseThrow(() ->
                    new IllegalArgumentException("no GGUF name for tensor '" + name + "' of " + spec.architecture()));
            addTensor(writer, source.tensor(name), ggufName, spec, options.weightType());
        }
        RopeScaling scaling = spec.ropeScaling();
        if (scaling != null && scaling.type() == RopeScaling.Type.LLAMA3 && !source.has("rope_freqs.weight")) {
            writer.addTensor("rope_freqs.weight", DType.F32, new long[] {spec.headDim() / 2}, llama3RopeFactors(spec));
        }
        writer.write(target);
    }

    /**
     * Converts a whole HF folder: its safetensors and its tokenizer (tokenizer.json with the BOS/EOS
     * and chat template of tokenizer_config.json). The target is replaced atomically.
     */
    public static void convertFolder(Path hfFolder, Options options, Path target) throws IOException {
        Map<String, Object> tokenizer = GgufTokenizerMetadata.fromHfTokenizerJson(hfFolder.resolve("tokenizer.json"),
                TokenizerConfig.read(hfFolder.resolve("tokenizer_config.json")));
        try (HfWeightSource weights = HfWeightSource.open(hfFolder)) {
            convert(weights, tokenizer, options, target);
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: HfToGguf HF_FOLDER OUT.gguf [F32|F16|Q8_0|Q4_0]   (default F32)");
            System.exit(2);
        }
        Path folder = Path.of(args[0]), target = Path.of(args[1]);
        DType type = DType.valueOf(args.length == 3 ? args[2].toUpperCase(Locale.ROOT) : "F32");
        String name = folder.toAbsolutePath().normalize().getFileName().toString();
        long t0 = System.nanoTime();
        convertFolder(folder, new Options(type, name), target);
        System.out.printf(Locale.ROOT, "wrote %s (%s, %.1f MB) in %.1f s%n", target, type, Files.size(target) / 1e6, (System.nanoTime() - t0) / 1e9);
    }

    private static void writeModelMetadata(GgufWriter w, ModelSpec spec, Options options) {
        String arch = spec.architecture().ggufName;
        w.putString("general.architecture", arch);
        if (options.modelName() != null) w.putString("general.name", options.modelName());
        w.putUInt32("general.file_type", fileType(options.weightType()));
        if (options.weightType().quantized()) w.putUInt32("general.quantization_version", 2);
        w.putUInt32(arch + ".vocab_size", spec.vocabSize());
        w.putUInt32(arch + ".context_length", spec.maxPositionEmbeddings());
        w.putUInt32(arch + ".embedding_length", spec.hiddenSize());
        w.putUInt32(arch + ".block_count", spec.numLayers());
        w.putUInt32(arch + ".feed_forward_length", spec.intermediateSize());
        w.putUInt32(arch + ".attention.head_count", spec.numHeads());
        w.putUInt32(arch + ".attention.head_count_kv", spec.numKvHeads());
        w.putUInt32(arch + ".attention.key_length", spec.headDim());
        w.putUInt32(arch + ".attention.value_length", spec.headDim());
        w.putUInt32(arch + ".rope.dimension_count", spec.headDim());
        w.putFloat32(arch + ".attention.layer_norm_rms_epsilon", spec.rmsNormEps());
        w.putFloat32(arch + ".rope.freq_base", spec.ropeTheta());
        RopeScaling scaling = spec.ropeScaling();
        if (scaling != null && (scaling.type() == RopeScaling.Type.LINEAR || scaling.type() == RopeScaling.Type.YARN)) {
            w.putString(arch + ".rope.scaling.type", scaling.type() == RopeScaling.Type.LINEAR ? "linear" : "yarn");
            w.putFloat32(arch + ".rope.scaling.factor", scaling.factor());
            if (scaling.originalMaxPositionEmbeddings() > 0) {
                w.putUInt32(arch + ".rope.scaling.original_context_length", scaling.originalMaxPositionEmbeddings());
            }
        } else if (scaling != null && scaling.type() == RopeScaling.Type.DYNAMIC) {
            throw new IllegalArgumentException("GGUF has no dynamic RoPE scaling; llama.cpp cannot represent this model");
        }
    }

    /** llama_ftype of a whole-file type. */
    private static int fileType(DType type) {
        return switch (type) {
            case F32 -> 0;
            case F16 -> 1;
            case Q4_0 -> 2;
            case Q8_0 -> 7;
            default -> throw new IllegalArgumentException(type.name());
        };
    }

    private static void putTokenIdIfAbsent(GgufWriter w, Map<String, Object> given, String key, java.util.List<Integer> ids) {
        if (!given.containsKey(key) && !ids.isEmpty()) w.putUInt32(key, ids.getFirst());
    }

    private static void addTensor(GgufWriter writer, TensorData src, String ggufName, ModelSpec spec, DType weightType) {
        if (!Dequantize.canDecode(src.dtype())) {
            throw new IllegalArgumentException(src.name() + ": cannot convert from " + src.dtype());
        }
        long[] shape = src.shape();
        boolean matrix = shape.length >= 2;
        long rowLength = shape[shape.length - 1];
        DType outType = !matrix ? DType.F32
                : rowLength % weightType.blockElements == 0 ? weightType
                : weightType == DType.F32 ? DType.F32 : DType.F16;

        int heads = LlamaQkPermutation.permutedHeads(src.name(), spec);
        // a permuted vector (q/k bias) reorders single elements: treat each as a row of one
        long rows = matrix || heads > 0 ? src.elementCount() / (matrix ? rowLength : 1) : 1;
        long elementsPerRow = matrix || heads == 0 ? rowLength : 1;
        if (heads > 0 && !LlamaQkPermutation.applies(rows, heads)) {
            throw new IllegalArgumentException(src.name() + ": " + rows + " rows do not split into " + heads + " even heads");
        }
        LongUnaryOperator sourceRow = heads == 0 ? g -> g : g -> LlamaQkPermutation.hfRowOf(g, rows, heads);
        writer.addTensor(ggufName, outType, shape,
                dst -> encodeRows(new RowCopy(src, outType, rows, Math.toIntExact(elementsPerRow), sourceRow), dst));
    }

    /** What to copy: output row g comes from source row {@code sourceRow(g)}. */
    private record RowCopy(TensorData src, DType outType, long rows, int rowLength, LongUnaryOperator sourceRow) {}

    private static void encodeRows(RowCopy c, MemorySegment dst) {
        long srcRowBytes = c.src().dtype().bytesFor(c.rowLength());
        long dstRowBytes = c.outType().bytesFor(c.rowLength());
        float[] row = new float[c.rowLength()];
        for (long g = 0; g < c.rows(); g++) {
            long from = c.sourceRow().applyAsLong(g) * srcRowBytes;
            if (c.src().dtype() == c.outType()) {
                MemorySegment.copy(c.src().data(), from, dst, g * dstRowBytes, srcRowBytes);
            } else {
                Dequantize.row(c.src().dtype(), c.src().data(), from, row, 0, c.rowLength());
                Quantize.encode(c.outType(), row, 0, c.rowLength(), dst, g * dstRowBytes);
            }
        }
    }

    /** convert_hf_to_gguf.py LlamaModel.generate_extra_tensors: per-frequency llama3 factors. */
    static float[] llama3RopeFactors(ModelSpec spec) {
        RopeScaling s = spec.ropeScaling();
        int dim = spec.headDim();
        double lowFreqWavelen = s.originalMaxPositionEmbeddings() / s.lowFreqFactor();
        double highFreqWavelen = s.originalMaxPositionEmbeddings() / s.highFreqFactor();
        float[] factors = new float[dim / 2];
        for (int i = 0; i < dim / 2; i++) {
            double freq = 1.0 / Math.pow(spec.ropeTheta(), (2.0 * i) / dim);
            double wavelen = 2 * Math.PI / freq;
            if (wavelen < highFreqWavelen) {
                factors[i] = 1;
            } else if (wavelen > lowFreqWavelen) {
                factors[i] = (float) s.factor();
            } else {
                double smooth = (s.originalMaxPositionEmbeddings() / wavelen - s.lowFreqFactor())
                        / (s.highFreqFactor() - s.lowFreqFactor());
                factors[i] = (float) (1 / ((1 - smooth) / s.factor() + smooth));
            }
        }
        return factors;
    }
}
