/**
 * The server's TCP level, what Helidon 4.5.0 leaves open: {@link dev.pagoda.webapi.server.connection.ConnectionGuard}
 * wraps each connection Helidon makes ({@code GuardedConnection}: a reader and a writer that record
 * blocked reads and writes, the HTTP/1.0 rewrite, the close after a last response) and cuts from one
 * thread whatever keeps the server waiting past {@link dev.pagoda.webapi.server.connection.ConnectionLimits};
 * {@link dev.pagoda.webapi.server.connection.FileDescriptors} keeps the limit within the process's
 * descriptors and {@link dev.pagoda.webapi.server.connection.ListenerWatchdog} reports a listener
 * that stopped accepting anyway.
 */
package dev.pagoda.webapi.server.connection;
