package dev.pagoda.engine.sched;

import dev.pagoda.engine.request.Request;

import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.Iterator;
import java.util.PriorityQueue;
import java.util.Queue;

/**
 * Requests waiting for their first (or, after preemption, next) admission. FCFS keeps arrival
 * order and puts preempted requests back at the front, so they resume before newcomers; PRIORITY
 * orders by (priority, arrival), where a preempted request's original arrival puts it back in place.
 */
final class WaitingQueue implements Iterable<Request> {

    private static final Comparator<Request> BY_PRIORITY =
            Comparator.comparingInt(Request::priority).thenComparingLong(Request::arrivalTimeNanos);

    private final Deque<Request> fcfs;
    private final Queue<Request> priority;

    WaitingQueue(SchedulingPolicy policy) {
        this.fcfs = policy == SchedulingPolicy.FCFS ? new ArrayDeque<>() : null;
        this.priority = policy == SchedulingPolicy.PRIORITY ? new PriorityQueue<>(BY_PRIORITY) : null;
    }

    void addNew(Request r) {
        if (fcfs != null) fcfs.addLast(r); else priority.add(r);
    }

    void addPreempted(Request r) {
        if (fcfs != null) fcfs.addFirst(r); else priority.add(r);
    }

    Request peek() {
        return fcfs != null ? fcfs.peekFirst() : priority.peek();
    }

    Request poll() {
        return fcfs != null ? fcfs.pollFirst() : priority.poll();
    }

    boolean remove(Request r) {
        return fcfs != null ? fcfs.remove(r) : priority.remove(r);
    }

    int size() {
        return fcfs != null ? fcfs.size() : priority.size();
    }

    boolean isEmpty() {
        return size() == 0;
    }

    @Override
    public Iterator<Request> iterator() {
        return fcfs != null ? fcfs.iterator() : priority.iterator();
    }
}
