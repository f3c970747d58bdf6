package dev.pagoda.gui.kv;

/**
 * ARGB colours of the block map, as plain ints so the view-model and the pixel raster stay free
 * of JavaFX. A request's colour comes from its id alone, so it keeps its colour from frame to frame.
 */
public final class OwnerColors {

    public static final int FREE = 0xFFBDBDBD;        // light grey
    public static final int CACHED_FREE = 0xFF5D6D7E; // slate: still worth something, owned by no one
    public static final int SHARED_MARK = 0xFFFFFFFF; // white border inside a shared block
    public static final int BACKGROUND = 0xFF2B2B2B;

    private OwnerColors() {}

    /** A saturated, mid-bright colour whose hue is spread by a hash of the id (neighbouring ids differ). */
    public static int forRequest(String requestId) {
        int h = requestId.hashCode() * 0x9E3779B9; // Fibonacci hashing: "cmpl-1", "cmpl-2" land far apart
        h ^= h >>> 15;
        double hue = (h >>> 8) / (double) (1 << 24); // 0..1
        return hsv(hue, 0.70, 0.90);
    }

    /** HSV (all 0..1) to opaque ARGB. */
    static int hsv(double hue, double saturation, double value) {
        double h6 = (hue - Math.floor(hue)) * 6;
        int sector = (int) h6 % 6;
        double f = h6 - Math.floor(h6);
        double p = value * (1 - saturation);
        double q = value * (1 - saturation * f);
        double t = value * (1 - saturation * (1 - f));
        double[] rgb = switch (sector) {
            case 0 -> new double[] {value, t, p};
            case 1 -> new double[] {q, value, p};
            case 2 -> new double[] {p, value, t};
            case 3 -> new double[] {p, q, value};
            case 4 -> new double[] {t, p, value};
            default -> new double[] {value, p, q};
        };
        return 0xFF000000 | channel(rgb[0]) << 16 | channel(rgb[1]) << 8 | channel(rgb[2]);
    }

    private static int channel(double v) {
        return (int) Math.round(Math.clamp(v, 0, 1) * 255);
    }
}
