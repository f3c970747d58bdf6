package dev.pagoda.webapi.openai.tools;

import java.util.ArrayList;
import java.util.List;

/**
 * One JSON value read from a text that may still be growing (a model's output mid-stream): how far
 * each object, array and string reaches, with character offsets into the text, so a tool-call
 * parser can tell a complete {@code "name"} from a half-written one and pass an {@code arguments}
 * object on verbatim, piece by piece.
 *
 * <p>Running out of text is not an error while the text is growing: what is there is kept, and
 * {@link Result#readUntil} says how far it is valid. A character that no continuation can make
 * valid stops the reading there.
 *
 * <p>Written here rather than on Jackson's streaming parser: that parser reports an unfinished
 * value by throwing, and a stream re-reads its text after every token, so the exceptions alone cost
 * tens of microseconds a token; Jackson's non-blocking parser counts bytes, not characters. The
 * grammar is RFC 8259's; {@code PartialJsonTest} holds this reader to Jackson's verdicts and offsets.
 */
final class PartialJson {

    /** Deeper nesting is refused, so a runaway model cannot overflow the stack. */
    static final int MAX_DEPTH = 256;

    private PartialJson() {}

    enum Kind { OBJECT, ARRAY, STRING, SCALAR }

    /** A value: where it starts, where it ends ({@code -1} while it is unfinished), and what it holds so far. */
    static final class Node {
        final Kind kind;
        final int start;
        int end = -1;
        final List<Member> members = new ArrayList<>(); // objects
        final List<Node> items = new ArrayList<>();     // arrays
        String string;                                  // strings, once complete

        Node(Kind kind, int start) {
            this.kind = kind;
            this.start = start;
        }

        boolean complete() {
            return end >= 0;
        }

        /** The member's value, or null when the object has no such key, or its value has not begun. */
        Node get(String key) {
            for (Member m : members) {
                if (m.key.equals(key)) return m.value;
            }
            return null;
        }

        boolean has(String key) {
            return members.stream().anyMatch(m -> m.key.equals(key));
        }
    }

    /** A key read in full, and its value once that has begun. */
    static final class Member {
        final String key;
        Node value;

        Member(String key) {
            this.key = key;
        }
    }

    /**
     * @param root      the value, null when not even its first character is there
     * @param readUntil every character before this offset is valid JSON so far
     * @param error     why the text is not a JSON value: a character no JSON can have there, or (for a
     *                  complete text) the end coming too early; null otherwise
     */
    record Result(Node root, int readUntil, String error) {}

    /**
     * Reads the value that starts at {@code from} (after optional whitespace). Text after the value is
     * not looked at; {@code root.end} says where the value ended.
     *
     * @param complete the text will not grow any more
     */
    static Result read(String text, int from, boolean complete) {
        Reader r = new Reader(text, complete);
        r.pos = Markup.skipSpace(text, from);
        if (r.pos == text.length()) return new Result(null, text.length(), complete ? "no JSON value" : null);
        Node root = r.value(0);
        if (r.error != null) return new Result(root, r.pos, r.error);
        if (r.ranOut) return new Result(root, text.length(), complete ? "unexpected end of the JSON value" : null);
        return new Result(root, root.end, null);
    }

    /** Recursive descent that stops, keeping what it has, at the end of the text or at the first error. */
    private static final class Reader {
        final String text;
        final boolean complete;
        int pos;
        boolean ranOut;
        String error;

        Reader(String text, boolean complete) {
            this.text = text;
            this.complete = complete;
        }

        boolean stopped() {
            return ranOut || error != null;
        }

        /** At a value's first character. */
        Node value(int depth) {
            char c = text.charAt(pos);
            if (c == '{' || c == '[') {
                if (depth >= MAX_DEPTH) return fail(null, "JSON nested deeper than " + MAX_DEPTH);
                return c == '{' ? object(depth) : array(depth);
            }
            if (c == '"') return string();
            if (c == '-' || c >= '0' && c <= '9') return number();
            if (c == 't') return literal("true");
            if (c == 'f') return literal("false");
            if (c == 'n') return literal("null");
            return fail(null, "unexpected character '" + c + "'");
        }

        Node object(int depth) {
            Node n = new Node(Kind.OBJECT, pos++);
            if (skipToNext()) return n;
            if (text.charAt(pos) == '}') return close(n);
            while (true) {
                if (text.charAt(pos) != '"') return fail(n, "expected a key");
                Node key = string();
                if (stopped()) return n;
                Member m = new Member(key.string);
                n.members.add(m);
                if (skipToNext()) return n;
                if (text.charAt(pos) != ':') return fail(n, "expected ':'");
                pos++;
                if (skipToNext()) return n;
                m.value = value(depth + 1);
                if (endOfContainer(n, '}')) return n;
            }
        }

        Node array(int depth) {
            Node n = new Node(Kind.ARRAY, pos++);
            if (skipToNext()) return n;
            if (text.charAt(pos) == ']') return close(n);
            while (true) {
                Node item = value(depth + 1);
                if (item != null) n.items.add(item);
                if (endOfContainer(n, ']')) return n;
            }
        }

        /** After a member or item: a comma leads to the next (false); the closing bracket, an error or the end stop (true). */
        private boolean endOfContainer(Node n, char closer) {
            if (stopped() || skipToNext()) return true;
            char c = text.charAt(pos);
            if (c == closer) {
                close(n);
                return true;
            }
            if (c != ',') {
                fail(n, "expected ',' or '" + closer + "'");
                return true;
            }
            pos++;
            return skipToNext();
        }

        Node string() {
            Node n = new Node(Kind.STRING, pos++);
            StringBuilder value = new StringBuilder();
            while (pos < text.length()) {
                char c = text.charAt(pos);
                if (c == '"') {
                    n.string = value.toString();
                    n.end = ++pos;
                    return n;
                }
                if (c < 0x20) return fail(n, "control character in a string");
                if (c != '\\') {
                    value.append(c);
                    pos++;
                    continue;
                }
                if (pos + 1 >= text.length()) return ranOut(n);
                char e = text.charAt(pos + 1);
                switch (e) {
                    case '"', '\\', '/' -> value.append(e);
                    case 'b' -> value.append('\b');
                    case 'f' -> value.append('\f');
                    case 'n' -> value.append('\n');
                    case 'r' -> value.append('\r');
                    case 't' -> value.append('\t');
                    case 'u' -> {
                        for (int k = 2; k < 6; k++) {
                            if (pos + k >= text.length()) return ranOut(n);
                            if (Character.digit(text.charAt(pos + k), 16) < 0) return fail(n, "bad \\u escape");
                        }
                        value.append((char) Integer.parseInt(text, pos + 2, pos + 6, 16));
                        pos += 4;
                    }
                    default -> {
                        pos++;
                        return fail(n, "bad escape '\\" + e + "'");
                    }
                }
                pos += 2;
            }
            return ranOut(n);
        }

        /** RFC 8259: {@code -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?} */
        Node number() {
            Node n = new Node(Kind.SCALAR, pos);
            if (text.charAt(pos) == '-') pos++;
            if (pos == text.length()) return ranOut(n);
            if (text.charAt(pos) == '0') {
                pos++;
            } else if (!digits()) {
                return fail(n, "expected a digit");
            }
            if (pos < text.length() && text.charAt(pos) == '.') {
                pos++;
                if (pos == text.length()) return ranOut(n);
                if (!digits()) return fail(n, "expected a digit after '.'");
            }
            if (pos < text.length() && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E')) {
                pos++;
                if (pos < text.length() && (text.charAt(pos) == '+' || text.charAt(pos) == '-')) pos++;
                if (pos == text.length()) return ranOut(n);
                if (!digits()) return fail(n, "expected a digit in the exponent");
            }
            // A number that touches the end of a growing text may go on (12 -> 123).
            if (pos == text.length() && !complete) return ranOut(n);
            n.end = pos;
            return n;
        }

        private boolean digits() {
            int start = pos;
            while (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') pos++;
            return pos > start;
        }

        Node literal(String word) {
            Node n = new Node(Kind.SCALAR, pos);
            for (int k = 0; k < word.length(); k++, pos++) {
                if (pos == text.length()) return ranOut(n);
                if (text.charAt(pos) != word.charAt(k)) return fail(n, "unexpected character '" + text.charAt(pos) + "'");
            }
            n.end = pos;
            return n;
        }

        /** Skips whitespace; true when that reaches the end of the text (reading stops there). */
        private boolean skipToNext() {
            pos = Markup.skipSpace(text, pos);
            if (pos < text.length()) return false;
            ranOut = true;
            return true;
        }

        private Node close(Node n) {
            n.end = ++pos;
            return n;
        }

        private Node ranOut(Node n) {
            ranOut = true;
            pos = text.length();
            return n;
        }

        private Node fail(Node n, String message) {
            error = message + " at offset " + pos;
            return n;
        }
    }
}
