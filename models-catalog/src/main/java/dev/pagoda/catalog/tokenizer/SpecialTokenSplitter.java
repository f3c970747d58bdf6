package dev.pagoda.catalog.tokenizer;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * Cuts input text at added/special tokens written in it (e.g. {@code <|im_end|>}), leftmost-longest
 * as HF's added-vocabulary matcher does, so each becomes one token and only the text between them is
 * tokenized by the model.
 */
final class SpecialTokenSplitter {

    private static final class Node {
        final Map<Character, Node> children = new HashMap<>();
        int id = -1;
    }

    private final Node root = new Node();

    void add(String content, int id) {
        if (content.isEmpty()) return;
        Node n = root;
        for (int i = 0; i < content.length(); i++) n = n.children.computeIfAbsent(content.charAt(i), c -> new Node());
        if (n.id < 0) n.id = id;
    }

    /** Calls {@code onText} for each non-empty run of plain text and {@code onToken} for each token, in order. */
    void split(String text, Consumer<String> onText, IntConsumer onToken) {
        int textStart = 0;
        int i = 0;
        while (i < text.length()) {
            int matchId = -1;
            int matchEnd = -1;
            Node n = root;
            for (int j = i; j < text.length(); j++) {
                n = n.children.get(text.charAt(j));
                if (n == null) break;
                if (n.id >= 0) {
                    matchId = n.id;
                    matchEnd = j + 1;
                }
            }
            if (matchId < 0) {
                i++;
                continue;
            }
            if (i > textStart) onText.accept(text.substring(textStart, i));
            onToken.accept(matchId);
            i = matchEnd;
            textStart = i;
        }
        if (textStart < text.length()) onText.accept(text.substring(textStart));
    }
}
