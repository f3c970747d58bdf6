package dev.pagoda.catalog.chat;

/**
 * A chat template that cannot be compiled or rendered. When the template itself rejected the
 * conversation ({@code raise_exception("Conversation roles must alternate ...")}) the message is
 * exactly the template's, so an API can hand it to the client as a 400-style error.
 */
public final class ChatTemplateException extends RuntimeException {

    private final boolean raisedByTemplate;

    public ChatTemplateException(String message, boolean raisedByTemplate, Throwable cause) {
        super(message, cause);
        this.raisedByTemplate = raisedByTemplate;
    }

    /** True when the template called {@code raise_exception}: the request, not the template, is at fault. */
    public boolean raisedByTemplate() {
        return raisedByTemplate;
    }
}
