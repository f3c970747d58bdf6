package dev.pagoda.catalog.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pagoda.catalog.ModelFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
        List<String> templateSuffix) {

    /** GPT-2's pre-tokenizer regex, used by a ByteLevel pre-tokenizer with {@code use_regex}. */
    static final String GPT2_REGEX = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    static HfTokenizerJson read(Path file) {
        JsonNode root;
        try (InputStream in = Files.newInputStream(file)) {
            root = new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read tokenizer.json: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject() || !root.path("model").isObject()) {
            throw new ModelFormatException(file, "not an HF tokenizer.json (no \"model\" object)");
        }
        return parse(root, file);
    }

    private static HfTokenizerJson parse(JsonNode root, Path file) {
        JsonNode model = root.get("model");
        String type = model.path("type").asText("");
        JsonNode vocab = model.get("vocab");
        if (vocab == null || !vocab.isObject()) {
            throw new ModelFormatException(file, "model.vocab must be an object of token -> id (model type \"" + type + "\" is not supported)");
        }
        List<AddedToken> added = new ArrayList<>();
        for (JsonNode t : root.path("added_tokens")) {
            if (!t.path("id").canConvertToInt()) throw new ModelFormatException(file, "added token without an integer id: " + t);
            added.add(TokenizerConfig.addedToken(t.get("id").asInt(), t, file));
        }
        int size = 0;
        for (var e : vocab.properties()) size = Math.max(size, checkedId(e.getValue(), e.getKey(), file) + 1);
        for (AddedToken t : added) size = Math.max(size, t.id() + 1);
        String[] pieces = new String[size];
        for (var e : vocab.properties()) pieces[e.getValue().asInt()] = e.getKey();
        for (AddedToken t : added) pieces[t.id()] = t.content();

        List<String[]> merges = new ArrayList<>();
        for (JsonNode m : model.path("merges")) {
            if (m.isTextual()) {
                String s = m.asText();
                int sp = s.indexOf(' ', 1);
                if (sp < 0) throw new ModelFormatException(file, "merge without a space: \"" + s + "\"");
                merges.add(new String[] {s.substring(0, sp), s.substring(sp + 1)});
            } else if (m.isArray() && m.size() == 2) {
                merges.add(new String[] {m.get(0).asText(), m.get(1).asText()});
            } else {
                throw new ModelFormatException(file, "merge must be \"a b\" or [a, b], found " + m);
            }
        }

        Style style = new Style();
        style.scan(root.get("normalizer"), false);
        style.scan(root.get("pre_tokenizer"), true);
        style.scan(root.get("decoder"), false);
        List<String> prefix = new ArrayList<>();
        List<String> suffix = new ArrayList<>();
        templateSpecials(root.get("post_processor"), prefix, suffix);
        JsonNode unk = model.get("unk_token");
        return new HfTokenizerJson(type, pieces, merges, added, model.path("byte_fallback").asBoolean(false),
                model.path("ignore_merges").asBoolean(false), style.byteLevel, Optional.ofNullable(style.regex),
                style.prepend, style.nfc, unk == null || unk.isNull() ? Optional.empty() : Optional.of(unk.asText()),
                prefix, suffix);
    }

    private static int checkedId(JsonNode id, String token, Path file) {
        if (!id.canConvertToInt() || id.asInt() < 0) throw new ModelFormatException(file, "vocab id of \"" + token + "\" is not a non-negative integer: " + id);
        return id.asInt();
    }

    /** Walks normalizer / pre-tokenizer / decoder trees (Sequences nest) noting the features we convert. */
    private static final class Style {
        boolean byteLevel;
        boolean prepend;
        boolean nfc;
        String regex;

        void scan(JsonNode n, boolean preTokenizer) {
            if (n == null || n.isNull()) return;
            for (String list : List.of("normalizers", "pretokenizers", "decoders")) {
                for (JsonNode child : n.path(list)) scan(child, preTokenizer);
            }
            switch (n.path("type").asText("")) {
                case "ByteLevel" -> {
                    byteLevel = true;
                    if (preTokenizer && n.path("use_regex").asBoolean(true) && regex == null) regex = GPT2_REGEX;
                }
                case "Split" -> {
                    if (n.path("pattern").path("Regex").isTextual()) regex = n.get("pattern").get("Regex").asText();
                }
                case "Prepend" -> prepend |= n.path("prepend").asText().equals("\u2581");
                case "Metaspace" -> prepend |= !n.path("prepend_scheme").asText("always").equals("never")
                        && n.path("add_prefix_space").asBoolean(true);
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
