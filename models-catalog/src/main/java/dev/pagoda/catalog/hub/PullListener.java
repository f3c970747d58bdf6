package dev.pagoda.catalog.hub;

/** What a pull reports as it goes: the command line draws a progress bar on a terminal, plain lines otherwise. */
public interface PullListener {

    /** The revision resolved and the files chosen; @param totalBytes their size, -1 when the listing did not say */
    default void listed(String commit, int files, long totalBytes) {}

    /** A file is in the cache already (linked into the snapshot, nothing downloaded). */
    default void cached(String file, long size) {}

    /** A download begins; @param resumedFrom bytes kept from an earlier, interrupted one */
    default void started(String file, long size, long resumedFrom) {}

    /** {@code done} bytes of the file are on disk (called often; implementations draw at their own pace). */
    default void progress(String file, long done, long size) {}

    /** The connection broke or the server faltered; the download goes on from {@code done} bytes. */
    default void retrying(String file, long done, String reason) {}

    /** The file is downloaded, checked and in the cache. */
    default void finished(String file, long size) {}

    PullListener NONE = new PullListener() {};
}
