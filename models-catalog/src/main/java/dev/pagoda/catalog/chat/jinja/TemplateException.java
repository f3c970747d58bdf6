package dev.pagoda.catalog.chat.jinja;

/**
 * A template that fails to parse or to render (a type error, an unknown filter, a call of something
 * that is not callable). Errors the template raises on purpose ({@code raise_exception}) are thrown
 * by the global that implements them, not as this type.
 */
public class TemplateException extends RuntimeException {

    public TemplateException(String message) {
        super(message);
    }
}
