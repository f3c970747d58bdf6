package dev.pagoda.webapi.openai;

import java.util.UUID;

/** Response ids: OpenAI's prefixes ({@code cmpl-}, {@code chatcmpl-}) plus 32 random hex digits. */
final class Ids {

    private Ids() {}

    static String random() {
        return UUID.randomUUID().toString().replace("-", "");
    }
}
