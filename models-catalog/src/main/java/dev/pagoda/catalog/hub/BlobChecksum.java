package dev.pagoda.catalog.hub;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The check a blob must pass before it enters the cache, chosen by its etag as the hub sets it: a
 * file kept in LFS has its SHA-256 as etag, a file kept in git its blob id, the SHA-1 of
 * {@code "blob SIZE\0" + content}. Bytes are hashed as they arrive; resuming from a partial file
 * hashes its bytes first.
 */
final class BlobChecksum {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Pattern SHA1 = Pattern.compile("[0-9a-fA-F]{40}");

    private final String expected;
    private final String algorithm;
    private final long size;
    private final MessageDigest digest; // null: the etag is neither (a proxy's), only the size is checked
    private long hashed;

    private BlobChecksum(String expected, String algorithm, long size, MessageDigest digest) {
        this.expected = expected;
        this.algorithm = algorithm;
        this.size = size;
        this.digest = digest;
        reset();
    }

    static BlobChecksum forEtag(String etag, long size) {
        if (SHA256.matcher(etag).matches()) return new BlobChecksum(etag, "sha256", size, digest("SHA-256"));
        if (SHA1.matcher(etag).matches()) return new BlobChecksum(etag, "git blob sha1", size, digest("SHA-1"));
        return new BlobChecksum(etag, "size", size, null);
    }

    String algorithm() {
        return algorithm;
    }

    /** Makes the digest cover exactly the first {@code length} bytes of {@code file}, rereading them if it does not. */
    void catchUp(Path file, long length) throws IOException {
        if (hashed == length || digest == null) {
            hashed = length;
            return;
        }
        reset();
        if (length == 0) return;
        byte[] buffer = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            long left = length;
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) throw new IOException(file + " is shorter than " + length + " bytes");
                update(buffer, n);
                left -= n;
            }
        }
    }

    void update(byte[] bytes, int n) {
        if (digest != null) digest.update(bytes, 0, n);
        hashed += n;
    }

    /** The digest of everything hashed, in lower-case hex ("" when only the size is checked). */
    String finish() {
        return digest == null ? "" : HexFormat.of().formatHex(digest.digest());
    }

    boolean matches(String actual) {
        return digest == null || actual.equals(expected.toLowerCase(Locale.ROOT));
    }

    private void reset() {
        hashed = 0;
        if (digest == null) return;
        digest.reset();
        if (algorithm.startsWith("git")) digest.update(("blob " + size + "\0").getBytes(StandardCharsets.US_ASCII));
    }

    private static MessageDigest digest(String name) {
        try {
            return MessageDigest.getInstance(name);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(name + " is part of every JDK", e);
        }
    }
}
