package dev.pagoda.catalog.tokenizer;

import dev.pagoda.catalog.ModelFormatException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.IntConsumer;
import java.util.regex.Matcher;

/**
 * GPT-2 style byte-level BPE (GGUF {@code tokenizer.ggml.model = "gpt2"}: Llama-3, Qwen): words from
 * the pre-tokenizer regex, their UTF-8 bytes spelled in {@link ByteLevelAlphabet}, then merged
 * lowest-rank pair first (leftmost on ties), as HF's BPE model does.
 */
final class ByteLevelBpe implements PieceModel {

    private final GgufVocab vocab;
    private final BpePreTokenizer pre;
    private final Map<Long, Long> merges; // (leftId << 32 | rightId) -> (rank << 32 | mergedId)
    private final int[] byteToken = new int[256]; // id of the single-byte token of each byte

    ByteLevelBpe(GgufVocab vocab, List<String> mergeRules, BpePreTokenizer pre, Path source) {
        this.vocab = vocab;
        this.pre = pre;
        this.merges = new HashMap<>(mergeRules.size() * 2);
        for (int rank = 0; rank < mergeRules.size(); rank++) {
            String rule = mergeRules.get(rank);
            int sp = rule.indexOf(' ', 1);
            if (sp < 0) throw new ModelFormatException(source, "tokenizer.ggml.merges[" + rank + "] has no space: \"" + rule + "\"");
            String left = rule.substring(0, sp);
            String right = rule.substring(sp + 1);
            int l = requireId(left, rank, source);
            int r = requireId(right, rank, source);
            int merged = requireId(left + right, rank, source);
            merges.putIfAbsent(pair(l, r), ((long) rank << 32) | merged);
        }
        for (int b = 0; b < 256; b++) {
            byteToken[b] = vocab.id(String.valueOf(ByteLevelAlphabet.charOf((byte) b))).orElseThrow(() ->
                    new ModelFormatException(source, "byte-level vocabulary lacks a token for a single byte"));
        }
    }

    private int requireId(String piece, int rank, Path source) {
        return vocab.id(piece).orElseThrow(() -> new ModelFormatException(source,
                "tokenizer.ggml.merges[" + rank + "] uses \"" + piece + "\", which is not a token"));
    }

    private static long pair(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    @Override
    public void encode(String text, boolean atStart, IntConsumer out) {
        if (pre.nfc) text = Normalizer.normalize(text, Normalizer.Form.NFC);
        Matcher m = pre.pattern.matcher(text);
        int last = 0;
        while (m.find()) {
            if (m.start() > last) encodeWord(text.substring(last, m.start()), out); // HF "Isolated" keeps gaps too
            if (m.end() > m.start()) encodeWord(m.group(), out);
            last = m.end();
        }
        if (last < text.length()) encodeWord(text.substring(last), out);
    }

    private void encodeWord(String word, IntConsumer out) {
        byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
        int n = bytes.length;
        if (pre.ignoreMerges) {
            StringBuilder spelled = new StringBuilder(n);
            for (byte b : bytes) spelled.append(ByteLevelAlphabet.charOf(b));
            Integer whole = vocab.ids().get(spelled.toString());
            if (whole != null && vocab.types()[whole] == GgufTokenType.NORMAL) {
                out.accept(whole);
                return;
            }
        }
        int[] sym = new int[n]; // token id of each symbol; symbols live in a linked list over byte positions
        int[] next = new int[n];
        int[] prev = new int[n];
        boolean[] dead = new boolean[n];
        for (int i = 0; i < n; i++) {
            sym[i] = byteToken[bytes[i] & 0xFF];
            next[i] = i + 1 < n ? i + 1 : -1;
            prev[i] = i - 1;
        }
        PriorityQueue<Long> queue = new PriorityQueue<>(); // (rank << 32 | left position): lowest rank, then leftmost
        for (int i = 0; i + 1 < n; i++) offer(queue, sym[i], sym[i + 1], i);
        while (!queue.isEmpty()) {
            long top = queue.poll();
            int left = (int) top;
            int rank = (int) (top >>> 32);
            int right = next[left];
            if (dead[left] || right < 0) continue;
            Long rule = merges.get(pair(sym[left], sym[right]));
            if (rule == null || (int) (rule >>> 32) != rank) continue; // stale: a neighbour changed since
            sym[left] = (int) (long) rule;
            dead[right] = true;
            next[left] = next[right];
            if (next[right] >= 0) prev[next[right]] = left;
            if (prev[left] >= 0) offer(queue, sym[prev[left]], sym[left], prev[left]);
            if (next[left] >= 0) offer(queue, sym[left], sym[next[left]], left);
        }
        for (int i = 0; i >= 0; i = next[i]) out.accept(sym[i]);
    }

    private void offer(PriorityQueue<Long> queue, int left, int right, int position) {
        Long rule = merges.get(pair(left, right));
        if (rule != null) queue.add((rule & 0xFFFFFFFF00000000L) | position);
    }

    @Override
    public String decode(int[] ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : ids) bytes.writeBytes(tokenBytes(id));
        return Utf8.decodeLossy(bytes.toByteArray(), bytes.size());
    }

    @Override
    public byte[] tokenBytes(int id) {
        return PieceBytes.byteLevel(vocab.pieces()[id]);
    }
}
