package dev.pagoda.catalog.tokenizer;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Streams ids through an {@link IncrementalDetokenizer}, checking every delta as it comes. */
final class DetokenizerChecks {

    private DetokenizerChecks() {}

    /**
     * Pushes {@code ids} one at a time; after each push the text emitted so far must be a prefix of
     * {@code expected} (so no delta ever carried a broken or later-revised character) and must not end
     * inside a surrogate pair. Returns all deltas plus the final flush.
     */
    static String streamChecked(Tokenizer tok, int[] ids, boolean skipSpecial, String expected, String where) {
        IncrementalDetokenizer detok = tok.newDetokenizer(skipSpecial);
        StringBuilder emitted = new StringBuilder();
        for (int k = 0; k < ids.length; k++) {
            String delta = detok.push(ids[k]);
            emitted.append(delta);
            assertTrue(expected.startsWith(emitted.toString()),
                    where + ": after token " + k + " emitted \"" + emitted + "\", not a prefix of \"" + expected + "\"");
            assertTrue(emitted.isEmpty() || !Character.isHighSurrogate(emitted.charAt(emitted.length() - 1)),
                    where + ": delta after token " + k + " ends inside a surrogate pair");
        }
        emitted.append(detok.flush());
        return emitted.toString();
    }
}
