package dev.pagoda.catalog.synthetic;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pagoda.catalog.tokenizer.ByteLevelAlphabet;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small but real byte-level BPE tokenizer in the Llama-3 style, learned deterministically from
 * an embedded English + code corpus ({@code bpe-corpus.txt}) and written as the
 * {@code tokenizer.json} / {@code tokenizer_config.json} pair that HF tokenizers and transformers
 * load.
 *
 * <p>Ids: 0..255 are the single bytes (id = byte value, spelled with GPT-2's byte-to-unicode
 * alphabet), then one id per learned merge, then the special tokens. Merges are learned the way
 * the HF BPE trainer learns them: repeatedly merge the most frequent adjacent pair inside
 * pre-tokenized words (ties broken by the pair's text, so the result never depends on hash order).
 */
public final class SyntheticTokenizer {

    /** Llama-3's pre-tokenizer split pattern (tokenizer.json of Meta-Llama-3). */
    public static final String SPLIT_REGEX =
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    /**
     * Qwen2's split pattern: like Llama-3's but digits one at a time. transformers 5 rebuilds the
     * pipeline of a qwen2/qwen3 model's tokenizer from its own class (NFC + this pattern) whatever
     * tokenizer.json says, so fixtures of those families must carry exactly this to tokenize the
     * same under HF tokenizers and transformers.
     */
    public static final String QWEN2_SPLIT_REGEX =
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    /** Normalization and pre-tokenization of one model family's tokenizer. */
    public enum Style {
        /** Llama-3 / tiktoken style: no normalizer, digits in runs of up to 3. */
        LLAMA3(SPLIT_REGEX, false),
        /** Qwen2/Qwen3 style: NFC normalizer, single digits. */
        QWEN2(QWEN2_SPLIT_REGEX, true);

        public final String splitRegex;
        public final boolean nfc;

        Style(String splitRegex, boolean nfc) {
            this.splitRegex = splitRegex;
            this.nfc = nfc;
        }
    }

    public static final String BEGIN_OF_TEXT = "<|begin_of_text|>";
    public static final String END_OF_TEXT = "<|end_of_text|>";
    public static final String START_HEADER = "<|start_header_id|>";
    public static final String END_HEADER = "<|end_header_id|>";
    public static final String EOT = "<|eot_id|>";
    /** Special tokens in id order, right after the BPE vocabulary. */
    public static final List<String> SPECIAL_TOKENS = List.of(BEGIN_OF_TEXT, END_OF_TEXT, START_HEADER, END_HEADER, EOT);

    /** Meta-Llama-3-8B-Instruct's chat template. */
    public static final String CHAT_TEMPLATE = "{% set loop_messages = messages %}{% for message in loop_messages %}"
            + "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' %}"
            + "{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";

    /** BPE tokens (bytes + merges); with the 5 special tokens the vocabulary is 512. */
    public static final int BPE_VOCAB_TARGET = 507;


    private final List<String> vocab;         // id -> token text (byte-level alphabet)
    private final List<String[]> merges;      // rank -> pair

    private SyntheticTokenizer(List<String> vocab, List<String[]> merges) {
        this.vocab = vocab;
        this.merges = merges;
    }

    /** Learns the tokenizer from the embedded corpus. Deterministic: same result every call. */
    public static SyntheticTokenizer learn() {
        return learn(corpus(), BPE_VOCAB_TARGET);
    }

    static SyntheticTokenizer learn(String corpus, int vocabTarget) {
        List<String> vocab = new ArrayList<>();
        Map<String, Integer> ids = new HashMap<>();
        for (int b = 0; b < 256; b++) {
            String s = String.valueOf(ByteLevelAlphabet.charOf((byte) b));
            ids.put(s, vocab.size());
            vocab.add(s);
        }
        // word (as symbols) -> count
        Map<List<String>, Integer> words = new LinkedHashMap<>();
        for (String piece : preTokenize(corpus)) words.merge(symbols(piece), 1, Integer::sum);

        List<String[]> merges = new ArrayList<>();
        while (vocab.size() < vocabTarget) {
            Map<String, Integer> pairCounts = new HashMap<>();
            words.forEach((w, count) -> {
                for (int i = 0; i + 1 < w.size(); i++) pairCounts.merge(w.get(i) + " " + w.get(i + 1), count, Integer::sum);
            });
            String best = null;
            int bestCount = 1; // a pair seen once is not worth a token
            for (var e : pairCounts.entrySet()) {
                int c = e.getValue();
                if (c > bestCount || (c == bestCount && best != null && e.getKey().compareTo(best) < 0)) {
                    best = e.getKey();
                    bestCount = c;
                }
            }
            if (best == null) break;
            String[] pair = best.split(" ", 2);
            merges.add(pair);
            String merged = pair[0] + pair[1];
            if (!ids.containsKey(merged)) {
                ids.put(merged, vocab.size());
                vocab.add(merged);
            }
            Map<List<String>, Integer> next = new LinkedHashMap<>();
            words.forEach((w, count) -> next.merge(applyMerge(w, pair[0], pair[1]), count, Integer::sum));
            words = next;
        }
        return new SyntheticTokenizer(Collections.unmodifiableList(vocab), Collections.unmodifiableList(merges));
    }

    private static List<String> applyMerge(List<String> w, String a, String b) {
        List<String> out = new ArrayList<>(w.size());
        for (int i = 0; i < w.size(); i++) {
            if (i + 1 < w.size() && w.get(i).equals(a) && w.get(i + 1).equals(b)) {
                out.add(a + b);
                i++;
            } else {
                out.add(w.get(i));
            }
        }
        return List.copyOf(out);
    }

    /** Splits text the way the {@link #SPLIT_REGEX} pre-tokenizer does. */
    public static List<String> preTokenize(String text) {
        return preTokenize(text, SPLIT_REGEX);
    }

    /** Splits text with {@code regex} as HF's {@code Split(behavior=Isolated)} does (ASCII-exact). */
    public static List<String> preTokenize(String text, String regex) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile(regex).matcher(text);
        while (m.find()) out.add(m.group());
        return out;
    }

    /** A pre-tokenized piece as single-byte symbols in the byte-level alphabet. */
    public static List<String> symbols(String piece) {
        byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
        List<String> out = new ArrayList<>(bytes.length);
        for (byte b : bytes) out.add(String.valueOf(ByteLevelAlphabet.charOf(b)));
        return out;
    }

    /** Token text of {@code id} in the byte-level alphabet (bytes and merges only). */
    public List<String> vocab() {
        return vocab;
    }

    /** Merge rules in rank order. */
    public List<String[]> merges() {
        return merges;
    }

    /** All ids including special tokens: the {@code vocab_size} a model using this tokenizer needs. */
    public int size() {
        return vocab.size() + SPECIAL_TOKENS.size();
    }

    public int specialId(String token) {
        int i = SPECIAL_TOKENS.indexOf(token);
        if (i < 0) throw new IllegalArgumentException("not a special token: " + token);
        return vocab.size() + i;
    }

    /** Writes {@code tokenizer.json} and {@code tokenizer_config.json} into {@code dir}. */
    public void write(Path dir, int modelMaxLength, Style style) {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        try {
            Files.writeString(dir.resolve("tokenizer.json"), json.writeValueAsString(tokenizerJson(json, style)));
            Files.writeString(dir.resolve("tokenizer_config.json"),
                    json.writeValueAsString(tokenizerConfig(json, modelMaxLength, style)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ObjectNode tokenizerJson(ObjectMapper json, Style style) {
        ObjectNode root = json.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (String s : SPECIAL_TOKENS) {
            added.addObject().put("id", specialId(s)).put("content", s).put("single_word", false)
                    .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
        }
        if (style.nfc) {
            root.putObject("normalizer").put("type", "NFC");
        } else {
            root.putNull("normalizer");
        }

        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "Sequence");
        ArrayNode pres = pre.putArray("pretokenizers");
        ObjectNode split = pres.addObject();
        split.put("type", "Split");
        split.putObject("pattern").put("Regex", style.splitRegex);
        split.put("behavior", "Isolated").put("invert", false);
        pres.addObject().put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", true)
                .put("use_regex", false);

        // As Llama-3: byte-level offsets, then <|begin_of_text|> before every sequence.
        ObjectNode post = root.putObject("post_processor");
        post.put("type", "Sequence");
        ArrayNode posts = post.putArray("processors");
        posts.addObject().put("type", "ByteLevel").put("add_prefix_space", true).put("trim_offsets", false)
                .put("use_regex", true);
        ObjectNode template = posts.addObject();
        template.put("type", "TemplateProcessing");
        ArrayNode single = template.putArray("single");
        single.addObject().putObject("SpecialToken").put("id", BEGIN_OF_TEXT).put("type_id", 0);
        single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        ArrayNode pair = template.putArray("pair");
        pair.addObject().putObject("SpecialToken").put("id", BEGIN_OF_TEXT).put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        pair.addObject().putObject("SpecialToken").put("id", BEGIN_OF_TEXT).put("type_id", 1);
        pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
        ObjectNode bos = template.putObject("special_tokens").putObject(BEGIN_OF_TEXT);
        bos.put("id", BEGIN_OF_TEXT);
        bos.putArray("ids").add(specialId(BEGIN_OF_TEXT));
        bos.putArray("tokens").add(BEGIN_OF_TEXT);

        root.putObject("decoder").put("type", "ByteLevel").put("add_prefix_space", true).put("trim_offsets", true)
                .put("use_regex", true);

        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false).put("byte_fallback", false).put("ignore_merges", true);
        ObjectNode v = model.putObject("vocab");
        for (int id = 0; id < vocab.size(); id++) v.put(vocab.get(id), id);
        ArrayNode m = model.putArray("merges");
        for (String[] p : merges) m.add(p[0] + " " + p[1]);
        return root;
    }

    private ObjectNode tokenizerConfig(ObjectMapper json, int modelMaxLength, Style style) {
        ObjectNode root = json.createObjectNode();
        ObjectNode decoder = root.putObject("added_tokens_decoder");
        for (String s : SPECIAL_TOKENS) {
            decoder.putObject(String.valueOf(specialId(s))).put("content", s).put("lstrip", false)
                    .put("normalized", false).put("rstrip", false).put("single_word", false).put("special", true);
        }
        root.put("bos_token", BEGIN_OF_TEXT);
        root.put("chat_template", CHAT_TEMPLATE);
        // false (as Qwen2.5): transformers 4 would otherwise strip spaces before punctuation on
        // decode, so decode(encode(text)) would not give the text back
        root.put("clean_up_tokenization_spaces", false);
        root.put("eos_token", EOT);
        root.putArray("model_input_names").add("input_ids").add("attention_mask");
        root.put("model_max_length", modelMaxLength);
        if (style == Style.QWEN2) {
            // As Qwen2.5's own config; without them transformers' Qwen2Tokenizer adds its default
            // "<|endoftext|>" pad/unk token and the tokenizer outgrows the model's vocab_size.
            root.put("pad_token", END_OF_TEXT);
            root.putNull("unk_token");
        }
        root.put("tokenizer_class", "PreTrainedTokenizerFast");
        return root;
    }

    /** The embedded training text. */
    public static String corpus() {
        try (InputStream in = SyntheticTokenizer.class.getResourceAsStream("bpe-corpus.txt")) {
            if (in == null) throw new IllegalStateException("bpe-corpus.txt missing from the resources");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
