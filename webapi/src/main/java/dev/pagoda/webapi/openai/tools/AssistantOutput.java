package dev.pagoda.webapi.openai.tools;

import dev.pagoda.engine.structured.StructuredOutput;
import dev.pagoda.webapi.openai.reasoning.ReasoningParser;
import dev.pagoda.webapi.openai.reasoning.ReasoningParsers;
import dev.pagoda.webapi.openai.reasoning.ReasoningSplit;
import dev.pagoda.webapi.server.ApiException;
import dev.pagoda.webapi.server.OpenAiError;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * How a chat request's generated text becomes the assistant's message, as vLLM's chat route does it:
 * the reasoning block (with {@code --reasoning-parser}) becomes {@code reasoning_content}, and the
 * rest is read for tool calls according to {@code tool_choice}: not at all ({@code none}), in the
 * model's own format by the server's parser ({@code auto}), or as the JSON the grammar forced
 * ({@code required}, a named function). Built per request; {@link #stream()} per streamed choice.
 */
public final class AssistantOutput {

    private static final String TOOL_CALLS = "tool_calls";

    private final ToolRequest request;
    private final ReasoningParser reasoning;
    private final ToolCallParser tools;
    private final boolean keepsSpecialTokens;

    private AssistantOutput(ToolRequest request, ReasoningParser reasoning, ToolCallParser tools, boolean keepsSpecialTokens) {
        this.request = request;
        this.reasoning = reasoning;
        this.tools = tools;
        this.keepsSpecialTokens = keepsSpecialTokens;
    }

    /** For a request without structured output. */
    public static AssistantOutput forRequest(ToolRequest request, ToolParsing server, Map<String, Object> templateKwargs) {
        return forRequest(request, server, templateKwargs, false);
    }

    /**
     * @param templateKwargs the request's {@code chat_template_kwargs} (Qwen3's {@code enable_thinking})
     * @param constrained    the request asks for structured output ({@code response_format} and the like)
     * @throws ApiException 400 for {@code auto} on a server without {@code --enable-auto-tool-choice}, as vLLM
     */
    public static AssistantOutput forRequest(ToolRequest request, ToolParsing server, Map<String, Object> templateKwargs,
            boolean constrained) {
        ReasoningParser reasoning = server.reasoningParser()
                .map(name -> ReasoningParsers.forRequest(name, templateKwargs)).orElse(ReasoningParser.NONE);
        ToolCallParser tools = ToolCallParser.NONE;
        boolean keepSpecial = false;
        switch (request.choice()) {
            case ToolChoice.None none -> { }
            case ToolChoice.Auto auto -> {
                if (!server.autoToolChoice()) {
                    throw new ApiException(400, new OpenAiError("\"auto\" tool choice requires --enable-auto-tool-choice "
                            + "and --tool-call-parser to be set", OpenAiError.INVALID_REQUEST, "tool_choice", "invalid_value"));
                }
                String parser = server.toolCallParser().orElseThrow();
                tools = ToolCallParsers.create(parser, request.tools().stream().map(Tool::name).collect(Collectors.toSet()));
                keepSpecial = ToolCallParsers.keepsSpecialTokens(parser);
            }
            case ToolChoice.Required required -> tools = new RequiredCallsParser();
            case ToolChoice.Named named -> tools = new NamedCallParser(named.name());
        }
        // The grammar of a forced call or of structured output holds from the first token, so there is no think
        // block to take off (vLLM lets the model reason before its grammar starts; this engine's grammar has no such switch).
        if (constrained || request.choice() instanceof ToolChoice.Required || request.choice() instanceof ToolChoice.Named) {
            reasoning = ReasoningParser.NONE;
        }
        return new AssistantOutput(request, reasoning, tools, keepSpecial);
    }

    /** The grammar the output must follow: for {@code required} and named choices. */
    public Optional<StructuredOutput> constraint() {
        return switch (request.choice()) {
            case ToolChoice.Required r -> Optional.of(ToolSchemas.required(request.tools(), request.parallelToolCalls()));
            case ToolChoice.Named n -> Optional.of(ToolSchemas.named(request.tool(n.name())));
            default -> Optional.empty();
        };
    }

    /** The parser's markers are special tokens: the text must keep special tokens for them to be seen. */
    public boolean keepsSpecialTokens() {
        return keepsSpecialTokens;
    }

    /**
     * A non-streamed choice's message parts.
     *
     * @param content          the answer text, null when there is none (only calls, or only reasoning)
     * @param reasoningContent the reasoning, null when there is none
     * @param toolCalls        the calls, empty when there are none
     */
    public record Message(String content, String reasoningContent, List<ToolCallJson> toolCalls) {}

    public Message whole(String text) {
        ReasoningSplit split = reasoning.split(text, true);
        String reasoningText = split.reasoning().isEmpty() ? null : split.reasoning();
        if (split.content() == null) return new Message(null, reasoningText, List.of());
        ParsedOutput out = tools.parse(split.content(), true);
        if (out.failed()) return new Message(split.content(), reasoningText, List.of());
        List<ToolCallJson> calls = new ArrayList<>();
        for (PartialCall c : out.calls().subList(0, Math.min(out.calls().size(), maxCalls()))) {
            calls.add(ToolCallJson.of(tools.ids().next(), c.name(), c.arguments()));
        }
        String content = out.content().isEmpty() && !calls.isEmpty() ? null : out.content();
        return new Message(content, reasoningText, calls);
    }

    /**
     * The choice's {@code finish_reason}, as vLLM gives it: {@code tool_calls} when the model called
     * tools on its own, or when a required call ended normally; otherwise the engine's reason (a
     * named function's call ends with {@code stop}).
     */
    public String finishReason(String engineReason, boolean calledTools) {
        return switch (request.choice()) {
            case ToolChoice.Auto a -> calledTools ? TOOL_CALLS : engineReason;
            case ToolChoice.Required r -> calledTools && "stop".equals(engineReason) ? TOOL_CALLS : engineReason;
            default -> engineReason;
        };
    }

    /** A new streamed choice. */
    public Stream stream() {
        return new Stream();
    }

    /**
     * What one streamed step adds to a choice.
     *
     * @param reasoningContent new reasoning text, or null
     * @param content          new answer text, or null
     * @param toolCalls        new call pieces, or null
     */
    public record Delta(String reasoningContent, String content, List<ToolCallJson.Delta> toolCalls) {
        public boolean isEmpty() {
            return reasoningContent == null && content == null && toolCalls == null;
        }
    }

    /** One streamed choice: text in as the engine makes it, message pieces out. */
    public final class Stream {
        private final StringBuilder text = new StringBuilder();
        private final ToolCallStream calls = new ToolCallStream(tools, maxCalls());
        private int reasoningSent;

        private Stream() {}

        /** @param piece the engine's new text for this choice */
        public Delta next(String piece) {
            text.append(piece);
            return advance(false);
        }

        /** The choice's last text: what was held back (a possible marker's start) goes out now too. */
        public Delta finish(String lastPiece) {
            text.append(lastPiece);
            return advance(true);
        }

        public boolean calledTools() {
            return calls.calledTools();
        }

        private Delta advance(boolean complete) {
            if (reasoning == ReasoningParser.NONE && tools == ToolCallParser.NONE) {
                // Plain text (most requests): passed on as it comes, nothing kept.
                String piece = text.toString();
                text.setLength(0);
                return new Delta(null, piece.isEmpty() ? null : piece, null);
            }
            ReasoningSplit split = reasoning.split(text.toString(), complete);
            String newReasoning = null;
            if (split.reasoning().length() > reasoningSent) {
                newReasoning = split.reasoning().substring(reasoningSent);
                reasoningSent = split.reasoning().length();
            }
            if (split.content() == null) return new Delta(newReasoning, null, null);
            ToolCallStream.Update update = calls.next(split.content(), complete);
            return new Delta(newReasoning, update.content().isEmpty() ? null : update.content(),
                    update.toolCalls().isEmpty() ? null : update.toolCalls());
        }
    }

    private int maxCalls() {
        return request.parallelToolCalls() ? Integer.MAX_VALUE : 1;
    }
}
