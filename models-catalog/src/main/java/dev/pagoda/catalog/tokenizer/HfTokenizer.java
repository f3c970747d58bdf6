package dev.pagoda.catalog.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.pagoda.catalog.ModelFormatException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * An HF tokenizer.json run by the real HF tokenizers library (Rust, through DJL's bundled native
 * library), so encoding and decoding are HF's own. DJL's conveniences that HF's raw tokenizer does not
 * have (truncation, padding, a 512 max length) are switched off; special tokens are chosen per call.
 */
public final class HfTokenizer implements Tokenizer, AutoCloseable {

    private final HuggingFaceTokenizer hf;
    private final String[] pieces; // by id; null for unused ids
    private final boolean[] special; // by id: added token with "special": true
    private final boolean byteLevel; // the decoder maps GPT-2's byte alphabet (else SentencePiece's "▁" and <0xXX>)
    private final TokenizerConfig config;
    private final OptionalInt bos;
    private final List<Integer> eos;

    /**
     * DJL picks a CUDA build of its tokenizer library when it sees a GPU, and downloads it — but
     * tokenizing runs on the CPU either way, and Pagoda works offline with the CPU build that the
     * jar bundles. {@code RUST_FLAVOR=cpu} (DJL's own switch) says so, unless the user set it.
     */
    private static void useBundledCpuLibrary() {
        if (System.getenv("RUST_FLAVOR") == null && System.getProperty("RUST_FLAVOR") == null) {
            System.setProperty("RUST_FLAVOR", "cpu");
        }
        quietDjl();
    }

    /** Held: java.util.logging keeps loggers weakly, and a collected one forgets its level. */
    private static final Logger DJL_LOG = Logger.getLogger("ai.djl");

    /**
     * DJL still probes for CUDA while it picks that library, and on a machine without a GPU warns
     * "Failed to detect GPU count" (twice) and logs where it found its library — at every start,
     * about a library that runs on the CPU anyway (Pagoda reports its own CUDA use). Its messages
     * below SEVERE are dropped unless logging.properties sets {@code ai.djl.level}.
     */
    private static void quietDjl() {
        if (LogManager.getLogManager().getProperty("ai.djl.level") == null) DJL_LOG.setLevel(Level.SEVERE);
    }

    private HfTokenizer(HuggingFaceTokenizer hf, HfTokenizerJson json, TokenizerConfig config, Path file) {
        this.hf = hf;
        this.pieces = json.pieces();
        this.special = new boolean[pieces.length];
        for (AddedToken t : json.addedTokens()) special[t.id()] = t.special();
        this.byteLevel = json.byteLevel();
        this.config = config;
        this.bos = idOf(config.bosToken(), "bos_token", file);
        OptionalInt eosId = idOf(config.eosToken(), "eos_token", file);
        this.eos = eosId.isPresent() ? List.of(eosId.getAsInt()) : List.of();
    }

    /** Loads {@code tokenizerJson}; {@code config} names BOS/EOS (from tokenizer_config.json). */
    public static HfTokenizer load(Path tokenizerJson, TokenizerConfig config) {
        useBundledCpuLibrary();
        HfTokenizerJson json = HfTokenizerJson.read(tokenizerJson, false);
        HuggingFaceTokenizer hf;
        try {
            hf = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(tokenizerJson)
                    .optAddSpecialTokens(false)
                    .optTruncation(false)
                    .optPadding(false)
                    .build();
        } catch (Exception | UnsatisfiedLinkError e) {
            throw new ModelFormatException(tokenizerJson, "HF tokenizers library cannot load it: " + e.getMessage(), e);
        }
        try {
            return new HfTokenizer(hf, json, config, tokenizerJson);
        } catch (RuntimeException e) {
            hf.close();
            throw e;
        }
    }

    private OptionalInt idOf(Optional<String> token, String what, Path file) {
        if (token.isEmpty()) return OptionalInt.empty();
        for (int i = 0; i < pieces.length; i++) {
            if (token.get().equals(pieces[i])) return OptionalInt.of(i);
        }
        throw new ModelFormatException(file, what + " \"" + token.get() + "\" of tokenizer_config.json is not in the vocabulary");
    }

    @Override
    public int[] encode(String text, boolean addSpecialTokens) {
        long[] ids = hf.encode(text, addSpecialTokens, false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) out[i] = Math.toIntExact(ids[i]);
        return out;
    }

    @Override
    public String decode(int[] ids, boolean skipSpecialTokens) {
        long[] wide = new long[ids.length];
        for (int i = 0; i < ids.length; i++) wide[i] = checkId(ids[i]);
        return hf.decode(wide, skipSpecialTokens);
    }

    private int checkId(int id) {
        if (id < 0 || id >= pieces.length || pieces[id] == null) {
            throw new IllegalArgumentException("token id " + id + " is not in the vocabulary (size " + pieces.length + ")");
        }
        return id;
    }

    @Override
    public int vocabSize() {
        return pieces.length;
    }

    @Override
    public OptionalInt bosTokenId() {
        return bos;
    }

    @Override
    public List<Integer> eosTokenIds() {
        return eos;
    }

    @Override
    public boolean isSpecial(int id) {
        return special[checkId(id)];
    }

    @Override
    public String tokenPiece(int id) {
        return pieces[checkId(id)];
    }

    @Override
    public byte[] tokenBytes(int id) {
        String piece = pieces[checkId(id)];
        return byteLevel ? PieceBytes.byteLevel(piece) : PieceBytes.sentencePiece(piece);
    }

    @Override
    public TokenizerConfig config() {
        return config;
    }

    @Override
    public void close() {
        hf.close();
    }
}
