package dev.pagoda.engine.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Without a GPU: every kernel source the facade loads is on the class path and declares, as
 * {@code extern "C" __global__}, every function name the facade looks up (directly or through an
 * instantiation macro), so a renamed kernel fails here instead of on the GPU machine. Also the
 * host-side launch geometry the kernels rely on.
 */
class KernelSourcesTest {

    private static final Pattern GLOBAL = Pattern.compile(
            "extern\\s+\"C\"\\s+__global__\\s+void\\s+(?:__launch_bounds__\\((?:[^()]|\\([^()]*\\))*\\)\\s*)?([\\w#]+)\\s*\\(");
    private static final Pattern DEFINE = Pattern.compile("#define\\s+(\\w+)\\(([^)]*)\\)(.*)");

    @Test
    void everyFacadeFunctionIsDeclaredInItsSource() throws IOException {
        for (KernelSource source : KernelSource.all()) {
            Set<String> declared = declaredKernels(read(source.resourcePath()));
            for (String name : source.functions()) {
                assertTrue(declared.contains(name), source.file() + " declares no extern \"C\" __global__ " + name
                        + " (it declares " + declared + ")");
            }
        }
    }

    @Test
    void includedHeadersExist() throws IOException {
        Pattern include = Pattern.compile("#\\s*include\\s+\"([^\"]+)\"");
        for (KernelSource source : KernelSource.all()) {
            Matcher m = include.matcher(read(source.resourcePath()));
            while (m.find()) assertNotNull(read(KernelSource.FOLDER + m.group(1)), source.file() + " includes " + m.group(1));
        }
    }

    @Test
    void macroInstantiationsAreExpanded() {
        String src = """
                #define K(D, G) \\
                    extern "C" __global__ void __launch_bounds__(256, (G) <= 4 ? 2 : 1) \\
                        k_d##D##_g##G(int x) { body(x); }
                K(64, 1)
                K(128, 8)
                extern "C" __global__ void plain(int y) {}
                """;
        assertEquals(Set.of("k_d64_g1", "k_d128_g8", "plain"), declaredKernels(src));
    }

    @Test
    void decodeSplitsDependOnlyOnTheBlockTableReach() {
        for (int maxBlocks : new int[] {1, 7, 64, 512, 4096, 100_000}) {
            for (int blockSize : new int[] {8, 16, 32}) {
                var g = new CudaKernels.AttentionGeometry(32, 8, 128, blockSize, maxBlocks, 0.088f, 0);
                int partition = DecodeAttentionKernel.partitionLen(g);
                int splits = CudaKernels.decodeSplits(g);
                String at = "maxBlocks " + maxBlocks + " blockSize " + blockSize;
                assertEquals(0, partition % DecodeAttentionKernel.CHUNK, at);
                assertTrue(splits >= 1 && splits <= DecodeAttentionKernel.MAX_SPLITS, at + ": " + splits + " splits");
                assertTrue((long) splits * partition >= g.maxContext(), at + ": splits don't cover the context");
                assertTrue((long) (splits - 1) * partition < g.maxContext(), at + ": an always-empty split");
                assertEquals(2L * 32 * splits * (128 + 2) * 4, CudaKernels.decodeWorkspaceBytes(g, 2), at);
            }
        }
    }

    @Test
    void groupTilesCoverEveryGqaRatio() {
        assertEquals(1, DecodeAttentionKernel.groupTile(1, 128));
        assertEquals(4, DecodeAttentionKernel.groupTile(3, 128));
        assertEquals(8, DecodeAttentionKernel.groupTile(7, 128));
        assertEquals(8, DecodeAttentionKernel.groupTile(16, 128)); // two CTAs per KV head
        assertEquals(2, DecodeAttentionKernel.groupTile(2, 16)); // a 16-dim key row is 2 lanes: 2 heads per CTA at most
        assertEquals(2, DecodeAttentionKernel.groupTile(4, 16));
        assertEquals(4, DecodeAttentionKernel.groupTile(7, 32));
    }

    @Test
    void prefillTilesCoverEveryMultiTokenSequenceOnce() {
        int[] queryStart = {0, 1, 3, 3, 131, 132, 197}; // lengths 1, 2, 0, 128, 1, 65
        int[] seq = new int[CudaKernels.maxPrefillTiles(197, 6)], row = new int[seq.length];
        int tiles = CudaKernels.prefillTiles(queryStart, seq, row);
        assertEquals(List.of(1, 3, 3, 5, 5), java.util.Arrays.stream(seq, 0, tiles).boxed().toList());
        assertEquals(List.of(1, 3, 67, 132, 196), java.util.Arrays.stream(row, 0, tiles).boxed().toList());
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> CudaKernels.prefillTiles(queryStart, new int[2], new int[2]));
        assertTrue(e.getMessage().contains("maxPrefillTiles"), e.getMessage());
    }

    @Test
    void prefillSharedMemoryFitsAmpereAndHopper() {
        // sm_80 allows 163 KiB of dynamic shared memory per CTA, sm_90 227 KiB.
        for (int d : DecodeAttentionKernel.HEAD_DIMS) {
            assertTrue(PrefillAttentionKernel.sharedBytes(d) <= 163 * 1024, "head_dim " + d);
        }
        assertEquals(95_744, PrefillAttentionKernel.sharedBytes(128)); // the figure the report gives
    }

    @Test
    void decodeV2SharedMemoryMatchesTheSourceAndFitsAmpereAndHopper() {
        // 4 warps x stages x (K + V) x 16 keys x headDim x 2 bytes; the .cu static_asserts the same figures
        int[] expected = {4 * 4 * 2 * 16 * 16 * 2, 4 * 4 * 2 * 16 * 32 * 2, 4 * 4 * 2 * 16 * 64 * 2, 4 * 3 * 2 * 16 * 128 * 2,
                4 * 2 * 2 * 16 * 256 * 2};
        assertEquals(List.of(16384, 32768, 65536, 98304, 131072), java.util.Arrays.stream(expected).boxed().toList());
        for (int i = 0; i < expected.length; i++) {
            int d = DecodeAttentionKernel.HEAD_DIMS[i];
            assertEquals(expected[i], DecodeAttentionV2Kernel.sharedBytes(d), "head_dim " + d);
            assertTrue(DecodeAttentionV2Kernel.sharedBytes(d) <= 163 * 1024, "head_dim " + d + " exceeds sm_80's 163 KiB");
            // the f32 merge buffer [4 warps][8 heads][headDim + 4] reuses the rings
            assertTrue(4 * 8 * (d + 4) * 4 <= DecodeAttentionV2Kernel.sharedBytes(d), "head_dim " + d);
        }
        // two CTAs of the Llama-3 head dim per Hopper SM (228 KiB, 1 KiB reserved per CTA, 256 B static stats)
        assertTrue(2 * (DecodeAttentionV2Kernel.sharedBytes(128) + 1024 + 256) <= 228 * 1024);
    }

    @Test
    void prefillV2SharedMemoryMatchesTheSourceAndFitsAmpere() {
        // Q [HG x 64 rows][headDim] + (2 stages, 3 for two m-tiles) x (K + V) x keyTile x headDim, bf16; the .cu
        // static_asserts these figures
        var h1 = new PrefillAttentionV2Kernel.Variant(1, 1);
        var h2m2 = new PrefillAttentionV2Kernel.Variant(2, 2);
        var h4m2 = new PrefillAttentionV2Kernel.Variant(4, 2);
        var h2m1 = new PrefillAttentionV2Kernel.Variant(2, 1);
        assertEquals(10240, PrefillAttentionV2Kernel.sharedBytes(16, h1));
        assertEquals(40960, PrefillAttentionV2Kernel.sharedBytes(32, h4m2));
        assertEquals(65536, PrefillAttentionV2Kernel.sharedBytes(64, h2m2));
        assertEquals(81920, PrefillAttentionV2Kernel.sharedBytes(128, h1));
        assertEquals(81920, PrefillAttentionV2Kernel.sharedBytes(128, h2m2));
        assertEquals(114688, PrefillAttentionV2Kernel.sharedBytes(128, h4m2));
        assertEquals(98304, PrefillAttentionV2Kernel.sharedBytes(256, h1));
        assertEquals(131072, PrefillAttentionV2Kernel.sharedBytes(256, h2m1));
        for (int d : DecodeAttentionKernel.HEAD_DIMS) {
            for (var v : PrefillAttentionV2Kernel.variants(d)) {
                assertTrue(PrefillAttentionV2Kernel.sharedBytes(d, v) <= 163 * 1024, "head_dim " + d + " " + v);
                assertTrue(v.threads() >= 128 && v.threads() <= 256, "head_dim " + d + " " + v);
            }
        }
    }

    @Test
    void prefillV2SharesKvTilesAcrossTheGroupWhileTheGpuStaysFull() {
        int sms = 132;
        // Llama-3-8B (32 heads, group 4): 16 x 512 rows = 128 tiles -> four heads per CTA, 1024 CTAs
        assertEquals(new PrefillAttentionV2Kernel.Variant(4, 2), PrefillAttentionV2Kernel.variant(128, 4, 128, 32, sms));
        // one 512-row chunk after a long prefix: 8 tiles x 8 four-head CTAs = 64 < 132 SMs -> one head per CTA (256 CTAs)
        assertEquals(new PrefillAttentionV2Kernel.Variant(1, 1), PrefillAttentionV2Kernel.variant(128, 4, 8, 32, sms));
        assertEquals(new PrefillAttentionV2Kernel.Variant(2, 2), PrefillAttentionV2Kernel.variant(128, 4, 9, 32, sms));
        // groups of 2, odd groups, head dim 256
        assertEquals(new PrefillAttentionV2Kernel.Variant(2, 2), PrefillAttentionV2Kernel.variant(64, 2, 1000, 32, sms));
        assertEquals(new PrefillAttentionV2Kernel.Variant(1, 1), PrefillAttentionV2Kernel.variant(128, 3, 1000, 24, sms));
        assertEquals(new PrefillAttentionV2Kernel.Variant(2, 1), PrefillAttentionV2Kernel.variant(256, 8, 1000, 16, sms));
        assertEquals(new PrefillAttentionV2Kernel.Variant(1, 1), PrefillAttentionV2Kernel.variant(256, 1, 1000, 16, sms));
    }

    @Test
    void bothPrefillKernelsCoverTheHostTiles() throws IOException {
        assertTrue(read(PrefillAttentionV2Kernel.SOURCE.resourcePath()).contains("#define PREFILL_V2_ROWS " + CudaKernels.prefillTileRows() + " "));
        assertTrue(read(PrefillAttentionKernel.SOURCE.resourcePath()).contains("#define PREFILL_ROWS " + CudaKernels.prefillTileRows() + "\n"));
    }

    @Test
    void decodeTakesOneSplitOnlyWhenTheWorkItemsFillTheGpu() {
        var g = new CudaKernels.AttentionGeometry(32, 8, 128, 16, 41, 0.088f, 0); // 656 keys of table reach
        var unsplit = DecodeSplits.plan(g, 264, 132);
        assertEquals(new DecodeSplits.Plan(1024, 1), unsplit); // the reach rounded up to whole 512-key chunks
        var split = DecodeSplits.plan(g, 263, 132);
        assertEquals(new DecodeSplits.Plan(DecodeAttentionKernel.partitionLen(g), CudaKernels.decodeSplits(g)), split);
        assertEquals(new DecodeSplits.Plan(512, 2), split);
    }

    @Test
    void unsupportedHeadDimIsAClearError() {
        var g = new CudaKernels.AttentionGeometry(8, 8, 96, 16, 4, 0.1f, 0);
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> CudaKernels.decodeWorkspaceBytes(g, 1));
        assertTrue(e.getMessage().contains("head_dim"), e.getMessage());
    }

    /** Names declared directly, plus those of instantiation macros whose body declares a kernel. */
    static Set<String> declaredKernels(String source) {
        String joined = source.replace("\\\r\n", " ").replace("\\\n", " ");
        Set<String> names = new HashSet<>();
        StringBuilder withoutMacros = new StringBuilder();
        for (String line : joined.split("\n")) {
            Matcher def = DEFINE.matcher(line.trim());
            if (!def.matches()) {
                withoutMacros.append(line).append('\n');
                continue;
            }
            Matcher g = GLOBAL.matcher(def.group(3));
            if (g.find()) expandMacro(joined, def.group(1), List.of(def.group(2).split("\\s*,\\s*")), g.group(1), names);
        }
        Matcher g = GLOBAL.matcher(withoutMacros); // declarations may span lines
        while (g.find()) names.add(g.group(1));
        return names;
    }

    private static void expandMacro(String source, String macro, List<String> params, String namePattern, Set<String> into) {
        Matcher use = Pattern.compile("(?m)^\\s*" + macro + "\\(([^)]*)\\)\\s*$").matcher(source);
        while (use.find()) {
            String[] args = use.group(1).split("\\s*,\\s*");
            StringBuilder name = new StringBuilder();
            for (String piece : namePattern.split("##")) {
                int p = params.indexOf(piece.trim());
                name.append(p >= 0 ? args[p].trim() : piece);
            }
            into.add(name.toString());
        }
    }

    private static String read(String path) throws IOException {
        try (InputStream in = KernelSourcesTest.class.getResourceAsStream(path)) {
            assertNotNull(in, "kernel source " + path + " is not on the class path");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
