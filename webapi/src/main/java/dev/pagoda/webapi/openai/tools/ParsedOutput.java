package dev.pagoda.webapi.openai.tools;

import java.util.List;

/**
 * What a tool-call parser reads in a model's output so far.
 *
 * <p>Read again after more text has come, {@code content} and each call's {@code arguments} only
 * grow and {@code calls} only gets longer, so a stream can send the differences; the one exception
 * is a final text whose call markup turned out malformed ({@code failed}), which the non-streamed
 * answer shows as plain content, as vLLM does.
 *
 * @param content the text that is the message's content (before the first call), so far; all of it when {@code failed}
 * @param calls   the calls whose names are complete, in order
 * @param failed  only for a final text: call markup began but is not a valid call
 */
record ParsedOutput(String content, List<PartialCall> calls, boolean failed) {

    ParsedOutput {
        calls = List.copyOf(calls);
    }

    static ParsedOutput content(String content) {
        return new ParsedOutput(content, List.of(), false);
    }

    /** A final text whose calls are malformed: all of it is content. */
    static ParsedOutput failed(String text) {
        return new ParsedOutput(text, List.of(), true);
    }
}
