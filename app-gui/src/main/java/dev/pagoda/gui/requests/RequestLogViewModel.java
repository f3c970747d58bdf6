package dev.pagoda.gui.requests;

import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The request log table's rows, refreshed from a {@link RequestLog} once per frame on the FX
 * thread, and only when the log changed: many tokens between two frames cost one copy.
 */
public final class RequestLogViewModel {

    private final RequestLog log;
    private final ObservableList<RequestLogEntry> rows = FXCollections.observableArrayList();
    private long seenVersion = -1;

    public RequestLogViewModel(RequestLog log) {
        this.log = log;
    }

    /** @return true when the rows changed */
    public boolean refresh() {
        long v = log.version();
        if (v == seenVersion) return false;
        seenVersion = v;
        rows.setAll(log.entries().reversed()); // newest first
        return true;
    }

    /** Newest first. */
    public ObservableList<RequestLogEntry> rows() {
        return rows;
    }
}
