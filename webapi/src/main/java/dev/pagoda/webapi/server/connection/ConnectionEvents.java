package dev.pagoda.webapi.server.connection;

/** Where the connection layer reports what clients did wrong; the server counts and logs it. */
@FunctionalInterface
public interface ConnectionEvents {

    /**
     * A client held a connection past a limit and was cut off.
     *
     * @param reason a short stable label ({@code header_timeout}, {@code body_timeout}, {@code write_timeout})
     * @param peer   the client's address
     * @param detail for the log line
     */
    void clientFault(String reason, String peer, String detail);
}
