package dev.pagoda.engine.api;

/**
 * A request the engine cannot take as it is (empty prompt, prompt at or over the context length,
 * a token id outside the vocabulary, a duplicate id). The message is meant for the client.
 */
public class InvalidRequestException extends IllegalArgumentException {

    private final String parameter;

    /** @param parameter the API field at fault (e.g. "prompt", "messages"), or null */
    public InvalidRequestException(String parameter, String message) {
        super(message);
        this.parameter = parameter;
    }

    public String parameter() {
        return parameter;
    }
}
