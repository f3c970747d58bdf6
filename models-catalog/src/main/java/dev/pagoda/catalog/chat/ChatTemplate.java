package dev.pagoda.catalog.chat;

import dev.pagoda.catalog.chat.jinja.Template;
import dev.pagoda.catalog.chat.jinja.TemplateException;
import dev.pagoda.catalog.chat.jinja.Value;
import dev.pagoda.catalog.chat.jinja.Values;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;

/**
 * A Hugging Face chat template, compiled once and rendered per request (thread-safe), producing the
 * same prompt text as transformers' {@code apply_chat_template} and {@code @huggingface/jinja}.
 */
public final class ChatTemplate {

    private final String source;
    private final Template template;

    private ChatTemplate(String source, Template template) {
        this.source = source;
        this.template = template;
    }

    /** @throws ChatTemplateException when the source is not a valid template (the message names line and column) */
    public static ChatTemplate compile(String source) {
        if (source == null) throw new IllegalArgumentException("chat template source must not be null");
        try {
            return new ChatTemplate(source, Template.parse(source));
        } catch (TemplateException e) {
            throw new ChatTemplateException(e.getMessage(), false, e);
        }
    }

    public String source() {
        return source;
    }

    /** Renders with the system clock and time zone for {@code strftime_now}. */
    public String render(ChatContext context) {
        return render(context, Clock.systemDefaultZone());
    }

    /**
     * @param clock what {@code strftime_now} reads (tests pass a fixed one)
     * @throws ChatTemplateException when the template raises an exception or fails to render
     */
    public String render(ChatContext context, Clock clock) {
        var vars = new LinkedHashMap<String, Object>();
        vars.put("raise_exception", new Value.Callable("raise_exception", args -> {
            String message = args.positional().isEmpty() ? "" : Values.str(args.positional().getFirst());
            throw new ChatTemplateException(message, true, null);
        }));
        vars.put("strftime_now", new Value.Callable("strftime_now", args ->
                Value.of(Strftime.format(ZonedDateTime.now(clock), Values.str(args.get(0, "format"))))));
        vars.putAll(context.variables());
        try {
            return template.render(vars);
        } catch (TemplateException e) {
            throw new ChatTemplateException("chat template failed: " + e.getMessage(), false, e);
        } catch (IllegalArgumentException e) {
            throw new ChatTemplateException("chat template input is not usable: " + e.getMessage(), false, e);
        }
    }
}
