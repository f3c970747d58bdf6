package dev.pagoda.catalog.tokenizer;

import dev.pagoda.catalog.ModelFormatException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * A tokenizer built from a GGUF file's {@code tokenizer.ggml.*} metadata, written here in Java (no HF
 * library behind it) and equal to the HF tokenizer the file was converted from: byte-level BPE for
 * {@code tokenizer.ggml.model = "gpt2"}, SentencePiece BPE for {@code "llama"}.
 *
 * <p>Tokens of type control, user-defined and unknown are recognised where written in the text;
 * control and unknown ones are the "special" tokens that {@code skipSpecialTokens} drops.
 */
public final class GgufTokenizer implements Tokenizer {

    /** Texts llama.cpp treats as end of generation besides {@code eos_token_id}. */
    private static final Set<String> END_OF_GENERATION = Set.of(
            "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<EOT>", "<|eom_id|>");

    private final GgufVocab vocab;
    private final PieceModel model;
    private final SpecialTokenSplitter splitter = new SpecialTokenSplitter();
    private final OptionalInt bos;
    private final OptionalInt eos;
    private final List<Integer> eosIds;
    private final boolean addBos;
    private final boolean addEos;
    private final TokenizerConfig config;

    /** @param addsBosByDefault llama.cpp's choice where {@code tokenizer.ggml.add_bos_token} is absent */
    private GgufTokenizer(GgufVocab vocab, PieceModel model, GgufMetadataValues meta, boolean addsBosByDefault) {
        this.vocab = vocab;
        this.model = model;
        int size = vocab.size();
        for (int id = 0; id < size; id++) {
            if (vocab.types()[id].matchedInText()) splitter.add(vocab.pieces()[id], id);
        }
        this.bos = meta.tokenId("tokenizer.ggml.bos_token_id", size);
        this.eos = meta.tokenId("tokenizer.ggml.eos_token_id", size);
        OptionalInt eot = meta.tokenId("tokenizer.ggml.eot_token_id", size);
        this.addBos = meta.bool("tokenizer.ggml.add_bos_token").orElse(addsBosByDefault);
        this.addEos = meta.bool("tokenizer.ggml.add_eos_token").orElse(false);
        List<Integer> ends = new ArrayList<>();
        eos.ifPresent(ends::add);
        eot.ifPresent(id -> {
            if (!ends.contains(id)) ends.add(id);
        });
        for (int id = 0; id < size; id++) {
            if (vocab.types()[id] == GgufTokenType.CONTROL && END_OF_GENERATION.contains(vocab.pieces()[id]) && !ends.contains(id)) ends.add(id);
        }
        this.eosIds = List.copyOf(ends);
        this.config = configOf(meta);
    }

    /**
     * Builds the tokenizer from {@code metadata} (the GGUF reader's map); {@code source} names the file
     * in errors.
     */
    public static GgufTokenizer fromMetadata(Map<String, Object> metadata, Path source) {
        GgufMetadataValues meta = new GgufMetadataValues(metadata, source);
        String kind = meta.requiredString("tokenizer.ggml.model");
        if (!kind.equals("gpt2") && !kind.equals("llama")) {
            throw new ModelFormatException(source, "unsupported tokenizer.ggml.model \"" + kind + "\"; supported are gpt2 and llama");
        }
        GgufVocab vocab = vocab(meta, kind.equals("llama"));
        return switch (kind) {
            case "gpt2" -> {
                String preName = meta.string("tokenizer.ggml.pre").orElse("default");
                BpePreTokenizer pre = BpePreTokenizer.byName(preName);
                if (pre == null) {
                    throw new ModelFormatException(source, "unsupported tokenizer.ggml.pre \"" + preName + "\"; supported are " + BpePreTokenizer.supportedNames());
                }
                List<String> merges = Arrays.asList(meta.strings("tokenizer.ggml.merges"));
                // llama.cpp adds BOS by default for Llama-3's vocabulary and SentencePiece ones only.
                yield new GgufTokenizer(vocab, new ByteLevelBpe(vocab, merges, pre, source), meta, pre == BpePreTokenizer.LLAMA3);
            }
            case "llama" -> {
                int unk = meta.tokenId("tokenizer.ggml.unknown_token_id", vocab.size()).orElse(-1);
                boolean prefix = meta.bool("tokenizer.ggml.add_space_prefix").orElse(true);
                List<String> merges = metadata.containsKey("tokenizer.ggml.merges") ? Arrays.asList(meta.strings("tokenizer.ggml.merges")) : null;
                yield new GgufTokenizer(vocab, new SentencePieceBpe(vocab, prefix, unk, merges), meta, true);
            }
            default -> throw new IllegalStateException("unreachable: " + kind);
        };
    }

    private static GgufVocab vocab(GgufMetadataValues meta, boolean needsScores) {
        String[] pieces = meta.strings("tokenizer.ggml.tokens");
        if (pieces.length == 0) throw new ModelFormatException(meta.source(), "tokenizer.ggml.tokens is empty");
        double[] codes = meta.numbers("tokenizer.ggml.token_type", pieces.length);
        GgufTokenType[] types = new GgufTokenType[pieces.length];
        for (int i = 0; i < types.length; i++) {
            types[i] = GgufTokenType.of((long) codes[i]);
            if (types[i] == null) throw new ModelFormatException(meta.source(), "tokenizer.ggml.token_type[" + i + "] = " + (long) codes[i] + " is not a token type");
        }
        float[] scores = new float[pieces.length];
        if (needsScores || meta.metadata().containsKey("tokenizer.ggml.scores")) {
            double[] s = meta.numbers("tokenizer.ggml.scores", pieces.length);
            for (int i = 0; i < s.length; i++) scores[i] = (float) s[i];
        }
        Map<String, Integer> ids = new HashMap<>(pieces.length * 2);
        for (int i = 0; i < pieces.length; i++) ids.putIfAbsent(pieces[i], i);
        return new GgufVocab(pieces, types, scores, ids);
    }

    private TokenizerConfig configOf(GgufMetadataValues meta) {
        Map<String, String> templates = new LinkedHashMap<>();
        meta.string("tokenizer.chat_template").ifPresent(t -> templates.put(TokenizerConfig.DEFAULT_TEMPLATE, t));
        Map<Integer, AddedToken> added = new HashMap<>();
        for (int id = 0; id < vocab.size(); id++) {
            GgufTokenType t = vocab.types()[id];
            if (t.matchedInText()) added.put(id, new AddedToken(id, vocab.pieces()[id], t.special(), false, false, false, false));
        }
        int size = vocab.size();
        return new TokenizerConfig(piece(bos), piece(eos),
                piece(meta.tokenId("tokenizer.ggml.padding_token_id", size)),
                piece(meta.tokenId("tokenizer.ggml.unknown_token_id", size)),
                Optional.of(addBos), Optional.of(addEos), templates, OptionalLong.empty(), added);
    }

    private Optional<String> piece(OptionalInt id) {
        return id.isPresent() ? Optional.of(vocab.pieces()[id.getAsInt()]) : Optional.empty();
    }

    @Override
    public int[] encode(String text, boolean addSpecialTokens) {
        IntStream.Builder out = IntStream.builder();
        if (addSpecialTokens && addBos) bos.ifPresent(out::add);
        boolean[] atStart = {true};
        splitter.split(text, fragment -> {
            model.encode(fragment, atStart[0], out::add);
            atStart[0] = false;
        }, id -> {
            out.add(id);
            atStart[0] = true;
        });
        if (addSpecialTokens && addEos) eos.ifPresent(out::add);
        return out.build().toArray();
    }

    @Override
    public String decode(int[] ids, boolean skipSpecialTokens) {
        int[] kept = IntStream.of(ids).filter(id -> !(isSpecial(id) && skipSpecialTokens)).toArray();
        return model.decode(kept);
    }

    private void checkId(int id) {
        if (id < 0 || id >= vocab.size()) {
            throw new IllegalArgumentException("token id " + id + " is not in the vocabulary (size " + vocab.size() + ")");
        }
    }

    @Override
    public int vocabSize() {
        return vocab.size();
    }

    @Override
    public OptionalInt bosTokenId() {
        return bos;
    }

    @Override
    public List<Integer> eosTokenIds() {
        return eosIds;
    }

    @Override
    public boolean isSpecial(int id) {
        checkId(id);
        return vocab.types()[id].special();
    }

    @Override
    public String tokenPiece(int id) {
        checkId(id);
        return vocab.pieces()[id];
    }

    @Override
    public byte[] tokenBytes(int id) {
        checkId(id);
        return model.tokenBytes(id);
    }

    @Override
    public TokenizerConfig config() {
        return config;
    }
}
