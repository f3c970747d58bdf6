package dev.pagoda.engine.sample;

/**
 * A sampling parameter is out of range. Carries the parameter's vLLM/OpenAI name so the HTTP
 * layer can fill the error's {@code param} field without parsing the message.
 */
public final class InvalidSamplingParamsException extends IllegalArgumentException {

    private final String parameter;

    public InvalidSamplingParamsException(String parameter, String message) {
        super(message);
        this.parameter = parameter;
    }

    /** The offending parameter, as the API spells it ({@code top_p}, {@code logit_bias}, …). */
    public String parameter() {
        return parameter;
    }
}
