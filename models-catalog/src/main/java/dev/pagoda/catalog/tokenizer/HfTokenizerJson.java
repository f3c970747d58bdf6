package dev.pagoda.catalog.tokenizer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pagoda.catalog.ModelFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Optional;

/**
 * The parts of an HF tokenizer.json this package needs besides the HF library itself: the vocabulary
 * by id, BPE merges, added tokens, and which normalizer/pre-tokenizer/post-processor style it uses
 * (to convert it to GGUF metadata the way llama.cpp's converter does).
 *
 * @param pieces vocabulary string by id, added tokens included; {@code null} where an id is unused
 * @param merges BPE merges in rank order, each {@code {left, right}}
 * @param splitRegex the pre-tokenizer's Split regex, or GPT-2's where a plain ByteLevel pre-tokenizer splits
 * @param prependSpace whether the normalizer/pre-tokenizer puts "▁" before the text (SentencePiece dummy prefix)
 * @param nfc whether the normalizer applies Unicode NFC
 * @param templatePrefix special tokens the post-processor puts before a single sequence (BOS)
 * @param templateSuffix special tokens the post-processor puts after it (EOS)
 * @param unmodelled normalizer/pre-tokenizer steps a GGUF tokenizer cannot reproduce (conversion refuses them)
 */
record HfTokenizerJson(
        String modelType,
        String[] pieces,
        List<String[]> merges,
        List<AddedToken> addedTokens,
        boolean byteFallback,
        boolean ignoreMerges,
        boolean byteLevel,
        Optional<String> splitRegex,
        boolean prependSpace,
        boolean nfc,
        Optional<String> unkToken,
        List<String> templatePrefix,
        List<String> templateSuffix,
        List<String> unmodelled) {

    /** GPT-2's pre-tokenizer regex, used by a ByteLevel pre-tokenizer with {@code use_regex}. */
    static final String GPT2_REGEX = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    static HfTokenizerJson read(Path file) {
        return read(file, true);
    }

    /**
     * Reads {@code file} with a streaming parser (vocabularies have up to 262k entries and merges 500k:
     * a JSON tree of them costs seconds); {@code withMerges = false} skips the merges.
     */
    static HfTokenizerJson read(Path file, boolean withMerges) {
        try (InputStream in = Files.newInputStream(file); JsonParser p = new JsonFactory().createParser(in)) {
            Builder b = new Builder(file);
            if (p.nextToken() != JsonToken.START_OBJECT) throw new ModelFormatException(file, "not an HF tokenizer.json (not a JSON object)");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "model" -> b.readModel(p, withMerges);
                    case "added_tokens", "normalizer", "pre_tokenizer", "post_processor", "decoder" ->
                            b.sections.put(field, MAPPER.readTree(p));
                    default -> p.skipChildren();
                }
            }
            return b.build();
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read tokenizer.json: " + e.getMessage(), e);
        }
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Collects the streamed parts, then checks and assembles them. */
    private static final class Builder {
        final Path file;
        final Map<String, JsonNode> sections = new HashMap<>();
        final List<String> vocabPieces = new ArrayList<>();
        final List<Integer> vocabIds = new ArrayList<>();
        final List<String[]> merges = new ArrayList<>();
        final Map<String, JsonNode> modelScalars = new HashMap<>();
        boolean sawModel;
        boolean sawVocab;

        Builder(Path file) {
            this.file = file;
        }

        void readModel(JsonParser p, boolean withMerges) throws IOException {
            if (p.currentToken() != JsonToken.START_OBJECT) throw new ModelFormatException(file, "\"model\" must be an object");
            sawModel = true;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if (field.equals("vocab") && t == JsonToken.START_OBJECT) {
                    sawVocab = true;
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String piece = p.currentName();
                        if (p.nextToken() != JsonToken.VALUE_NUMBER_INT || p.getLongValue() < 0 || p.getLongValue() > Integer.MAX_VALUE - 1) {
                            throw new ModelFormatException(file, "vocab id of \"" + piece + "\" is not a non-negative integer");
                        }
                        vocabPieces.add(piece);
                        vocabIds.add(p.getIntValue());
                    }
                } else if (field.equals("merges") && t == JsonToken.START_ARRAY && withMerges) {
                    while (p.nextToken() != JsonToken.END_ARRAY) merges.add(merge(p));
                } else if (t.isScalarValue()) {
                    modelScalars.put(field, MAPPER.readTree(p));
                } else {
                    p.skipChildren();
                }
            }
        }

        private String[] merge(JsonParser p) throws IOException {
            if (p.currentToken() == JsonToken.VALUE_STRING) {
                String s = p.getText();
                int sp = s.indexOf(' ', 1);
                if (sp < 0) throw new ModelFormatException(file, "merge without a space: \"" + s + "\"");
                return new String[] {s.substring(0, sp), s.substring(sp + 1)};
            }
            JsonNode m = MAPPER.readTree(p);
            if (m.isArray() && m.size() == 2 && m.get(0).isTextual() && m.get(1).isTextual()) {
                return new String[] {m.get(0).asText(), m.get(1).asText()};
            }
            throw new ModelFormatException(file, "merge must be \"a b\" or [a, b], found " + m);
        }

        HfTokenizerJson build() {
            if (!sawModel) throw new ModelFormatException(file, "not an HF tokenizer.json (no \"model\" object)");
            String type = modelScalars.containsKey("type") ? modelScalars.get("type").asText() : "";
            if (!sawVocab) throw new ModelFormatException(file, "model.vocab must be an object of token -> id (model type \"" + type + "\" is not supported)");
            List<AddedToken> added = new ArrayList<>();
            for (JsonNode t : sections.getOrDefault("added_tokens", MAPPER.createArrayNode())) {
                if (!t.path("id").canConvertToInt() || t.get("id").asInt() < 0) throw new ModelFormatException(file, "added token without a non-negative integer id: " + t);
                added.add(TokenizerConfig.addedToken(t.get("id").asInt(), t, file));
            }
            int size = 0;
            for (int id : vocabIds) size = Math.max(size, id + 1);
            for (AddedToken t : added) size = Math.max(size, t.id() + 1);
            String[] pieces = new String[size];
            for (int i = 0; i < vocabIds.size(); i++) pieces[vocabIds.get(i)] = vocabPieces.get(i);
            for (AddedToken t : added) pieces[t.id()] = t.content();

            Style style = new Style();
            style.scan(sections.get("normalizer"), "normalizer");
            style.scan(sections.get("pre_tokenizer"), "pre_tokenizer");
            style.scan(sections.get("decoder"), "decoder");
            List<String> prefix = new ArrayList<>();
            List<String> suffix = new ArrayList<>();
            templateSpecials(sections.get("post_processor"), prefix, suffix);
            JsonNode unk = modelScalars.get("unk_token");
            return new HfTokenizerJson(type, pieces, merges, added, bool("byte_fallback"), bool("ignore_merges"),
                    style.byteLevel, Optional.ofNullable(style.regex), style.prepend, style.nfc,
                    unk == null || unk.isNull() ? Optional.empty() : Optional.of(unk.asText()), prefix, suffix,
                    List.copyOf(style.unmodelled));
        }

        private boolean bool(String field) {
            JsonNode n = modelScalars.get(field);
            return n != null && n.asBoolean(false);
        }
    }

    /** Walks normalizer / pre-tokenizer / decoder trees (Sequences nest) noting the features we convert. */
    private static final class Style {
        boolean byteLevel;
        boolean prepend;
        boolean nfc;
        String regex;
        final List<String> unmodelled = new ArrayList<>();

        /** @param section which tree {@code n} belongs to: "normalizer", "pre_tokenizer" or "decoder" */
        void scan(JsonNode n, String section) {
            if (n == null || n.isNull()) return;
            for (String list : List.of("normalizers", "pretokenizers", "decoders")) {
                for (JsonNode child : n.path(list)) scan(child, section);
            }
            boolean preTokenizer = section.equals("pre_tokenizer");
            switch (n.path("type").asText("")) {
                case "ByteLevel" -> {
                    byteLevel = true;
                    if (preTokenizer && n.path("use_regex").asBoolean(true) && regex == null) regex = GPT2_REGEX;
                }
                case "Split" -> {
                    if (n.path("pattern").path("Regex").isTextual()) regex = n.get("pattern").get("Regex").asText();
                }
                case "Prepend" -> prepend |= n.path("prepend").asText().equals("\u2581");
                case "Metaspace" -> {
                    // Its word splitting and "first"-only prefix are not modelled by the GGUF tokenizers.
                    if (preTokenizer) unmodelled.add("Metaspace pre-tokenizer");
                    prepend |= !n.path("prepend_scheme").asText("always").equals("never") && n.path("add_prefix_space").asBoolean(true);
                }
                case "Lowercase", "NFD", "NFKC", "NFKD", "Precompiled", "Strip", "StripAccents", "BertNormalizer" -> {
                    if (section.equals("normalizer")) unmodelled.add(n.path("type").asText() + " normalizer");
                }
                case "NFC" -> nfc = true;
                default -> { }
            }
        }
    }

    /** The special tokens a TemplateProcessing post-processor (possibly inside a Sequence) wraps around "A". */
    private static void templateSpecials(JsonNode post, List<String> prefix, List<String> suffix) {
        if (post == null || post.isNull()) return;
        for (JsonNode child : post.path("processors")) templateSpecials(child, prefix, suffix);
        if (!post.path("type").asText().equals("TemplateProcessing")) return;
        boolean seenSequence = false;
        for (JsonNode piece : post.path("single")) {
            if (piece.has("Sequence")) {
                seenSequence = true;
            } else if (piece.has("SpecialToken")) {
                String id = piece.get("SpecialToken").path("id").asText();
                (seenSequence ? suffix : prefix).add(id);
            }
        }
    }
}
