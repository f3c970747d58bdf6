package dev.pagoda.catalog.tokenizer;

import dev.pagoda.catalog.ModelFormatException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code tokenizer.ggml.*} metadata llama.cpp's convert_hf_to_gguf.py writes for an HF tokenizer,
 * in the GGUF reader's value convention (Long, Double, Boolean, String, List).
 */
public final class GgufTokenizerMetadata {

    private GgufTokenizerMetadata() {}

    /**
     * Converts {@code tokenizerJson} (a BPE tokenizer: byte-level like Llama-3/Qwen, or SentencePiece
     * with byte fallback like Llama-2/Gemma) with BOS/EOS/add-BOS from {@code config}.
     *
     * <p>For SentencePiece vocabularies llama.cpp takes {@code scores} from tokenizer.model; with only
     * tokenizer.json they are derived from the merges: a token scores minus the rank of the first merge
     * producing it, so merging by score repeats HF's merge order (SentencePiece-built merge lists are
     * ordered by those same scores). The merges are written for both kinds.
     */
    public static Map<String, Object> fromHfTokenizerJson(Path tokenizerJson, TokenizerConfig config) {
        HfTokenizerJson hf = HfTokenizerJson.read(tokenizerJson);
        if (!hf.modelType().equals("BPE")) {
            throw new ModelFormatException(tokenizerJson, "only BPE tokenizers convert to GGUF here, found model type \"" + hf.modelType() + "\"");
        }
        if (!hf.unmodelled().isEmpty()) {
            throw new ModelFormatException(tokenizerJson, "cannot convert to GGUF metadata: " + String.join(", ", hf.unmodelled())
                    + " would tokenize differently there");
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        String[] pieces = hf.pieces();
        Map<Integer, AddedToken> added = new HashMap<>();
        for (AddedToken t : hf.addedTokens()) added.put(t.id(), t);
        Map<String, Integer> ids = new HashMap<>();
        for (int i = pieces.length - 1; i >= 0; i--) if (pieces[i] != null) ids.put(pieces[i], i);

        List<Object> tokens = new ArrayList<>(pieces.length);
        List<Object> types = new ArrayList<>(pieces.length);
        boolean spm = hf.byteFallback();
        for (int id = 0; id < pieces.length; id++) {
            GgufTokenType type;
            if (pieces[id] == null) {
                type = GgufTokenType.UNUSED;
            } else if (added.containsKey(id)) {
                AddedToken t = added.get(id);
                type = !t.special() ? GgufTokenType.USER_DEFINED
                        : hf.unkToken().filter(pieces[id]::equals).isPresent() ? GgufTokenType.UNKNOWN : GgufTokenType.CONTROL;
            } else if (spm && pieces[id].matches("<0x[0-9A-Fa-f]{2}>")) {
                type = GgufTokenType.BYTE;
            } else {
                type = GgufTokenType.NORMAL;
            }
            tokens.add(pieces[id] == null ? "[PAD" + id + "]" : pieces[id]);
            types.add((long) type.code);
        }

        if (spm) {
            meta.put("tokenizer.ggml.model", "llama");
            meta.put("tokenizer.ggml.pre", "default");
        } else if (hf.byteLevel()) {
            String regex = hf.splitRegex().orElseThrow(() -> new ModelFormatException(tokenizerJson, "byte-level tokenizer without a pre-tokenizer regex"));
            BpePreTokenizer pre = BpePreTokenizer.byRegex(regex);
            if (pre == null) throw new ModelFormatException(tokenizerJson, "unsupported pre-tokenizer regex " + regex);
            meta.put("tokenizer.ggml.model", "gpt2");
            meta.put("tokenizer.ggml.pre", pre.names.getFirst());
        } else {
            throw new ModelFormatException(tokenizerJson, "BPE tokenizer that is neither byte-level nor SentencePiece-style (byte_fallback)");
        }
        meta.put("tokenizer.ggml.tokens", tokens);
        if (spm) meta.put("tokenizer.ggml.scores", scoresFromMerges(pieces, hf.merges()));
        meta.put("tokenizer.ggml.token_type", types);
        // SentencePiece GGUFs carry merges too: llama.cpp ignores them there, our GgufTokenizer merges in their order.
        meta.put("tokenizer.ggml.merges", hf.merges().stream().map(m -> (Object) (m[0] + " " + m[1])).toList());

        Optional<String> bos = config.bosToken().or(() -> hf.templatePrefix().stream().findFirst());
        putId(meta, "tokenizer.ggml.bos_token_id", bos, ids, tokenizerJson);
        putId(meta, "tokenizer.ggml.eos_token_id", config.eosToken(), ids, tokenizerJson);
        putId(meta, "tokenizer.ggml.unknown_token_id", config.unkToken().or(hf::unkToken), ids, tokenizerJson);
        putId(meta, "tokenizer.ggml.padding_token_id", config.padToken(), ids, tokenizerJson);
        // Written even when false: llama.cpp would otherwise default to adding BOS for some models.
        meta.put("tokenizer.ggml.add_bos_token", config.addBosToken().orElse(bos.isPresent() && hf.templatePrefix().contains(bos.get())));
        meta.put("tokenizer.ggml.add_eos_token", config.addEosToken().orElse(
                config.eosToken().map(hf.templateSuffix()::contains).orElse(false)));
        if (spm) meta.put("tokenizer.ggml.add_space_prefix", hf.prependSpace());
        config.chatTemplate().ifPresent(t -> meta.put("tokenizer.chat_template", t));
        config.chatTemplates().forEach((name, t) -> {
            if (!name.equals(TokenizerConfig.DEFAULT_TEMPLATE)) meta.put("tokenizer.chat_template." + name, t);
        });
        return meta;
    }

    private static List<Object> scoresFromMerges(String[] pieces, List<String[]> merges) {
        Map<String, Integer> firstRank = new HashMap<>();
        for (int rank = 0; rank < merges.size(); rank++) firstRank.putIfAbsent(merges.get(rank)[0] + merges.get(rank)[1], rank);
        double unreachable = -(merges.size() + 1.0); // multi-character tokens no merge produces merge last
        List<Object> scores = new ArrayList<>(pieces.length);
        for (String piece : pieces) {
            Integer rank = piece == null ? null : firstRank.get(piece);
            if (rank != null) {
                scores.add(-(double) rank);
            } else {
                scores.add(piece != null && piece.codePointCount(0, piece.length()) > 1 ? unreachable : 0.0);
            }
        }
        return scores;
    }

    private static void putId(Map<String, Object> meta, String key, Optional<String> token, Map<String, Integer> ids, Path file) {
        if (token.isEmpty()) return;
        Integer id = ids.get(token.get());
        if (id == null) throw new ModelFormatException(file, key + ": token \"" + token.get() + "\" is not in the vocabulary");
        meta.put(key, (long) id);
    }
}
