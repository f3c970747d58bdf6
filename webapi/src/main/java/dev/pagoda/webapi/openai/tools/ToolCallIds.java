package dev.pagoda.webapi.openai.tools;

import java.security.SecureRandom;

/** Fresh tool-call ids in the style a model family's chat template expects back. */
enum ToolCallIds {
    /** {@code call_} and 24 letters and digits, as OpenAI's own. */
    OPENAI("call_", 24),
    /** Nine letters and digits: Mistral's templates refuse any other id (mistral-common's rule). */
    MISTRAL("", 9);

    private static final String ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String prefix;
    private final int length;

    ToolCallIds(String prefix, int length) {
        this.prefix = prefix;
        this.length = length;
    }

    String next() {
        StringBuilder id = new StringBuilder(prefix);
        for (int i = 0; i < length; i++) id.append(ALPHANUMERIC.charAt(RANDOM.nextInt(ALPHANUMERIC.length())));
        return id.toString();
    }
}
