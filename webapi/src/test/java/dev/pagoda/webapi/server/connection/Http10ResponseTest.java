package dev.pagoda.webapi.server.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * De-chunking for HTTP/1.0 clients against the naive answer (the head without its
 * Transfer-Encoding line, then the data of the chunks back to back), for random chunkings,
 * extensions and trailers, the bytes arriving in random pieces.
 */
class Http10ResponseTest {

    @Test
    void chunkedBecomesRaw() {
        for (int seed = 0; seed < 200; seed++) {
            Random random = new Random(seed);
            byte[] data = new byte[random.nextInt(5000)];
            random.nextBytes(data);
            String head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n";
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            wire.writeBytes((head + (random.nextBoolean() ? "Transfer-Encoding: chunked" : "transfer-encoding:  Chunked")
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            for (int at = 0; at < data.length; ) {
                int n = Math.min(data.length - at, 1 + random.nextInt(700));
                String ext = random.nextInt(4) == 0 ? ";name=value" : "";
                wire.writeBytes((Integer.toHexString(n) + ext + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                wire.write(data, at, n);
                wire.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                at += n;
            }
            wire.writeBytes((random.nextBoolean() ? "0\r\n\r\n" : "0\r\nX-Trailer: t\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            byte[] expectedHead = (head + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
            byte[] expected = concat(expectedHead, data);
            assertEquals(Arrays.toString(expected), Arrays.toString(inPieces(wire.toByteArray(), random)), "seed " + seed);
        }
    }

    @Test
    void contentLengthResponsesPassUnchanged() {
        byte[] wire = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(new String(wire, StandardCharsets.ISO_8859_1),
                new String(inPieces(wire, new Random(1)), StandardCharsets.ISO_8859_1));
    }

    private static byte[] inPieces(byte[] wire, Random random) {
        Http10Response rewrite = new Http10Response();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int at = 0; at < wire.length; ) {
            int n = Math.min(wire.length - at, 1 + random.nextInt(300));
            out.writeBytes(rewrite.rewrite(Arrays.copyOfRange(wire, at, at + n)));
            at += n;
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
