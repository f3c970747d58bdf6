package dev.pagoda.catalog.chat.jinja;

/** A template that cannot be parsed; the message names the line and column (1-based) of the problem. */
public final class TemplateSyntaxException extends TemplateException {

    private final int line;
    private final int column;

    public TemplateSyntaxException(String problem, int line, int column) {
        super("template syntax error at line " + line + ", column " + column + ": " + problem);
        this.line = line;
        this.column = column;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }
}
