package dev.pagoda.catalog.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.IntConsumer;

/**
 * SentencePiece BPE (GGUF {@code tokenizer.ggml.model = "llama"}: Llama-2, Mistral, Gemma), as
 * llama.cpp's SPM tokenizer: spaces become "▁" (plus a dummy-prefix "▁" at the start and after each
 * special token), characters merge highest-score pair first (leftmost on ties), and characters
 * outside the vocabulary fall back to {@code <0xXX>} byte tokens.
 *
 * <p>Where the file also carries {@code tokenizer.ggml.merges}, pairs merge in that order instead, as
 * HF's BPE model does: the merge list converted from SentencePiece is not always in score order
 * (Gemma-3's whitespace runs), and the scores llama.cpp gets from tokenizer.model are not in the GGUF
 * of a model that only ships tokenizer.json.
 */
final class SentencePieceBpe implements PieceModel {

    static final char SPACE = '\u2581';

    private final GgufVocab vocab;
    private final boolean addSpacePrefix;
    private final int unknownId; // -1 where the vocabulary has none
    private final Map<String, Integer> mergeRanks; // "left right" -> rank; null: merge by score

    SentencePieceBpe(GgufVocab vocab, boolean addSpacePrefix, int unknownId, List<String> merges) {
        this.vocab = vocab;
        this.addSpacePrefix = addSpacePrefix;
        this.unknownId = unknownId;
        if (merges == null) {
            this.mergeRanks = null;
        } else {
            this.mergeRanks = new HashMap<>(merges.size() * 2);
            for (int rank = 0; rank < merges.size(); rank++) mergeRanks.putIfAbsent(merges.get(rank), rank);
        }
    }

    /** A candidate merge of the symbols starting at {@code left} and {@code right} (char offsets); higher priority first. */
    private record Bigram(int left, int right, double priority, int length) {}

    @Override
    public void encode(String raw, boolean atStart, IntConsumer out) {
        String text = (addSpacePrefix && atStart ? SPACE : "") + raw.replace(' ', SPACE);
        int n = text.length();
        int[] len = new int[n]; // symbol length in chars at its start offset; 0 inside or after a merge
        int[] next = new int[n];
        int[] prev = new int[n];
        int last = -1;
        for (int i = 0; i < n; i += len[i]) {
            len[i] = Character.charCount(text.codePointAt(i));
            prev[i] = last;
            if (last >= 0) next[last] = i;
            last = i;
        }
        if (last >= 0) next[last] = -1;
        PriorityQueue<Bigram> queue = new PriorityQueue<>((a, b) ->
                a.priority != b.priority ? Double.compare(b.priority, a.priority) : Integer.compare(a.left, b.left));
        for (int i = 0; i >= 0 && i < n && next[i] >= 0; i = next[i]) offer(queue, text, i, next[i], len);
        while (!queue.isEmpty()) {
            Bigram b = queue.poll();
            if (len[b.left] == 0 || len[b.right] == 0 || next[b.left] != b.right || len[b.left] + len[b.right] != b.length) {
                continue; // stale: one side already merged elsewhere
            }
            len[b.left] += len[b.right];
            len[b.right] = 0;
            next[b.left] = next[b.right];
            if (next[b.right] >= 0) prev[next[b.right]] = b.left;
            if (prev[b.left] >= 0) offer(queue, text, prev[b.left], b.left, len);
            if (next[b.left] >= 0) offer(queue, text, b.left, next[b.left], len);
        }
        boolean lastUnknown = false;
        for (int i = 0; i >= 0 && n > 0; i = next[i]) {
            String piece = text.substring(i, i + len[i]);
            Integer id = vocab.ids().get(piece);
            if (id != null) {
                out.accept(id);
                lastUnknown = false;
            } else {
                lastUnknown = byteFallback(piece, out, lastUnknown);
            }
        }
    }

    private void offer(PriorityQueue<Bigram> queue, String text, int left, int right, int[] len) {
        int length = len[left] + len[right];
        Integer id = vocab.ids().get(text.substring(left, left + length));
        if (id == null) return;
        if (mergeRanks == null) {
            // Only words: never merge into control or byte tokens. User-defined ones (Gemma's "▁▁") are
            // ordinary vocabulary entries to HF's BPE.
            GgufTokenType type = vocab.types()[id];
            if (type != GgufTokenType.NORMAL && type != GgufTokenType.USER_DEFINED) return;
            queue.add(new Bigram(left, right, vocab.scores()[id], length));
        } else {
            Integer rank = mergeRanks.get(text.substring(left, right) + ' ' + text.substring(right, right + len[right]));
            if (rank != null) queue.add(new Bigram(left, right, -(double) rank, length));
        }
    }

    /** Spells a piece missing from the vocabulary as byte tokens; consecutive unknowns fuse into one (HF fuse_unk). */
    private boolean byteFallback(String piece, IntConsumer out, boolean lastUnknown) {
        byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            Integer id = vocab.ids().get(byteToken(bytes[i]));
            if (id == null) {
                if (!lastUnknown && unknownId >= 0) out.accept(unknownId);
                return true;
            }
            ids[i] = id;
        }
        for (int id : ids) out.accept(id);
        return false;
    }

    private static final String[] BYTE_PIECES = new String[256];

    static {
        for (int b = 0; b < 256; b++) BYTE_PIECES[b] = String.format("<0x%02X>", b);
    }

    static String byteToken(byte b) {
        return BYTE_PIECES[b & 0xFF];
    }

    @Override
    public String decode(int[] ids) {
        StringBuilder out = new StringBuilder();
        byte[] pending = new byte[16];
        int pendingLength = 0;
        for (int id : ids) {
            String piece = vocab.pieces()[id];
            int b = PieceBytes.byteTokenValue(piece);
            if (b >= 0) {
                if (pendingLength == pending.length) pending = java.util.Arrays.copyOf(pending, pendingLength * 2);
                pending[pendingLength++] = (byte) b;
                continue;
            }
            flushBytes(pending, pendingLength, out);
            pendingLength = 0;
            out.append(piece.replace(SPACE, ' '));
        }
        flushBytes(pending, pendingLength, out);
        // HF's Strip decoder removes the dummy prefix: one leading space of the whole text.
        if (addSpacePrefix && !out.isEmpty() && out.charAt(0) == ' ') out.deleteCharAt(0);
        return out.toString();
    }

    /** HF's ByteFallback decoder: a run of byte tokens is its UTF-8 text if valid, else one U+FFFD per byte. */
    private static void flushBytes(byte[] bytes, int length, StringBuilder out) {
        if (length == 0) return;
        if (Utf8.isValid(bytes, length)) {
            out.append(new String(bytes, 0, length, StandardCharsets.UTF_8));
        } else {
            out.repeat('\uFFFD', length);
        }
    }

    @Override
    public byte[] tokenBytes(int id) {
        return PieceBytes.sentencePiece(vocab.pieces()[id]);
    }
}
