package dev.pagoda.webapi.server.connection;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Rewrites the bytes of responses for an HTTP/1.0 client, which cannot read chunked transfer coding
 * (RFC 9112 §6.1: a server must not send it to one). The {@code Transfer-Encoding} header line goes and
 * so does the chunk framing around the data; the body then ends where the connection ends, which
 * {@link GuardedConnection} closes after the response. Responses with a {@code Content-Length} pass
 * unchanged. Fed the bytes in the order they are written; keeps only the line it is reading.
 *
 * <pre>
 *   HTTP/1.1 200 OK            HTTP/1.1 200 OK
 *   Transfer-Encoding: chunked      ─►   Content-Type: text/event-stream
 *   Content-Type: text/event-stream      (blank)
 *   (blank)                              data: x
 *   7\r\n data: x \r\n  0\r\n \r\n
 * </pre>
 */
final class Http10Response {

    private enum State { HEAD, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS, RAW }

    private State state = State.HEAD;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private long remaining;

    byte[] rewrite(byte[] in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
        int i = 0;
        while (i < in.length) {
            switch (state) {
                case HEAD -> {
                    line.write(in[i++]);
                    if (endsWithBlankLine()) {
                        out.writeBytes(head(line.toString(StandardCharsets.ISO_8859_1)));
                        line.reset();
                    }
                }
                case CHUNK_SIZE -> {
                    byte b = in[i++];
                    if (b != '\n') {
                        line.write(b);
                        continue;
                    }
                    remaining = chunkSize(line.toString(StandardCharsets.ISO_8859_1));
                    line.reset();
                    state = remaining == 0 ? State.TRAILERS : State.CHUNK_DATA;
                }
                case CHUNK_DATA -> {
                    int n = (int) Math.min(remaining, in.length - i);
                    out.write(in, i, n);
                    i += n;
                    remaining -= n;
                    if (remaining == 0) state = State.CHUNK_END;
                }
                case CHUNK_END -> {
                    if (in[i++] == '\n') state = State.CHUNK_SIZE;
                }
                case TRAILERS -> {
                    // Trailer fields, then a blank line; a 1.0 client gets none of them.
                    line.write(in[i++]);
                    String trailers = line.toString(StandardCharsets.ISO_8859_1);
                    if (trailers.equals("\r\n") || trailers.endsWith("\r\n\r\n")) {
                        line.reset();
                        state = State.HEAD;
                    }
                }
                case RAW -> {
                    out.write(in, i, in.length - i);
                    i = in.length;
                }
            }
        }
        return out.toByteArray();
    }

    private boolean endsWithBlankLine() {
        int n = line.size();
        if (n < 4) return false;
        byte[] b = line.toByteArray();
        return b[n - 4] == '\r' && b[n - 3] == '\n' && b[n - 2] == '\r' && b[n - 1] == '\n';
    }

    /** The head without its Transfer-Encoding line; what follows it depends on whether the body was chunked. */
    private byte[] head(String head) {
        StringBuilder kept = new StringBuilder(head.length());
        boolean chunked = false;
        for (String field : head.split("\r\n", -1)) {
            if (field.toLowerCase(Locale.ROOT).startsWith("transfer-encoding:")) {
                chunked |= field.toLowerCase(Locale.ROOT).contains("chunked");
                continue;
            }
            kept.append(field).append("\r\n");
        }
        // split keeps two empty strings after the final CRLF CRLF: one CRLF too many was appended.
        kept.setLength(kept.length() - 2);
        boolean interim = head.startsWith("HTTP/1.1 1");
        state = interim ? State.HEAD : chunked ? State.CHUNK_SIZE : State.RAW;
        return kept.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static long chunkSize(String sizeLine) {
        String hex = sizeLine.strip();
        int extension = hex.indexOf(';');
        if (extension >= 0) hex = hex.substring(0, extension).strip();
        return Long.parseLong(hex, 16);
    }
}
