package dev.pagoda.engine.sched;

/** Order of the waiting queue and choice of preemption victim (vLLM's {@code --scheduling-policy}). */
public enum SchedulingPolicy {
    /** Arrival order; the newest running request is preempted first. */
    FCFS,
    /** Lower {@code priority} value first, arrival breaks ties; the lowest-priority, newest running request is preempted first. */
    PRIORITY
}
