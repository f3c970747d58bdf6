package dev.pagoda.engine.cpu;

import dev.pagoda.engine.model.ops.Activation;
import java.lang.foreign.MemorySegment;

/**
 * Element-wise activations over f32 buffers: a plain activation in place (GPT-NeoX's GELU MLP),
 * a gated one ({@code out = act(gate) · up}, Gemma's GeGLU; SiLU goes through the vectorised
 * {@link SwiGlu}), scaling and soft-capping ({@code cap·tanh(x/cap)}, Gemma 2's logits). GELU
 * uses an erf accurate to 1.5e-7 (Abramowitz and Stegun 7.1.26), below f32 resolution of the
 * result. One instance per engine loop; the per-call arguments live in fields so a call
 * allocates nothing.
 */
public final class Activations {

    private enum Op { ACTIVATE, GATE, SCALE, SOFT_CAP }

    private final Parallel parallel;
    private final Parallel.RangeBody body = this::run;

    private Op op;
    private Activation activation;
    private MemorySegment x; // (n) f32: input, or the gate
    private MemorySegment up; // (n) f32 or null
    private MemorySegment out; // (n) f32, may be x
    private float factor;

    public Activations(Parallel parallel) {
        this.parallel = parallel;
    }

    /** x = act(x) over {@code n} floats. */
    public void apply(Activation activation, MemorySegment x, long n) {
        start(Op.ACTIVATE, activation, x, null, x, 0f, n);
    }

    /** out = act(gate) · up over {@code n} floats; {@code out} may be {@code gate}. */
    public void gated(Activation activation, MemorySegment gate, MemorySegment up, MemorySegment out, long n) {
        FloatRows.requireFloats(up, n, "gated activation up");
        start(Op.GATE, activation, gate, up, out, 0f, n);
    }

    /** x *= factor over {@code n} floats. */
    public void scale(MemorySegment x, float factor, long n) {
        start(Op.SCALE, null, x, null, x, factor, n);
    }

    /** x = cap · tanh(x / cap) over {@code n} floats. */
    public void softCap(MemorySegment x, float cap, long n) {
        if (!(cap > 0)) throw new IllegalArgumentException("soft-cap must be positive, got " + cap);
        start(Op.SOFT_CAP, null, x, null, x, cap, n);
    }

    private void start(Op op, Activation activation, MemorySegment x, MemorySegment up, MemorySegment out, float factor, long n) {
        FloatRows.requireFloats(x, n, "activation input");
        FloatRows.requireFloats(out, n, "activation output");
        this.op = op;
        this.activation = activation;
        this.x = x;
        this.up = up;
        this.out = out;
        this.factor = factor;
        parallel.forRange(Math.toIntExact(n), 1024, body);
    }

    private void run(int start, int end) {
        for (int i = start; i < end; i++) {
            float v = FloatRows.get(x, i);
            float r = switch (op) {
                case ACTIVATE -> (float) activate(activation, v);
                case GATE -> (float) (activate(activation, v) * FloatRows.get(up, i));
                case SCALE -> v * factor;
                case SOFT_CAP -> (float) (factor * Math.tanh(v / factor));
            };
            FloatRows.set(out, i, r);
        }
    }

    /** The activation of one value, in double. */
    public static double activate(Activation activation, double v) {
        return switch (activation) {
            case SILU -> v / (1 + Math.exp(-v));
            case GELU_TANH -> 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
            case GELU -> 0.5 * v * (1 + erf(v / Math.sqrt(2)));
        };
    }

    /** erf(x) to 1.5e-7 (Abramowitz and Stegun 7.1.26); odd. */
    static double erf(double x) {
        double t = 1 / (1 + 0.3275911 * Math.abs(x));
        double poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
        double y = 1 - poly * Math.exp(-x * x);
        return x >= 0 ? y : -y;
    }
}
