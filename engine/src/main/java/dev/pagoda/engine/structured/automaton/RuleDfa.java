package dev.pagoda.engine.structured.automaton;

/**
 * One rule as a deterministic automaton over byte classes and calls: state 0 is the start. A call
 * transition {@code s --call R--> t} (at most one per callee) means the rule may match rule R
 * here and go on at t.
 */
final class RuleDfa {

    final int states;
    final int classes;
    final int[] next;          // (states, classes) target or -1
    final boolean[] accepting; // (states)
    final int[] callOffset;    // (states + 1) calls of s at [callOffset[s], callOffset[s+1])
    final int[] callRule;      // callee rule index
    final int[] callTarget;    // state after the call returns

    RuleDfa(int states, int classes, int[] next, boolean[] accepting, int[] callOffset, int[] callRule, int[] callTarget) {
        this.states = states;
        this.classes = classes;
        this.next = next;
        this.accepting = accepting;
        this.callOffset = callOffset;
        this.callRule = callRule;
        this.callTarget = callTarget;
    }
}
