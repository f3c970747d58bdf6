package dev.pagoda.engine.backend.cpu;

import dev.pagoda.engine.backend.cpu.CpuWeights.CpuNorm;
import dev.pagoda.engine.cpu.PagedAttention;
import dev.pagoda.engine.cpu.RmsNorm;
import dev.pagoda.engine.cpu.Rope;
import dev.pagoda.engine.model.ops.AttentionLayer;
import dev.pagoda.engine.model.ops.AttentionSpec;

/**
 * One declared attention layer on the CPU: its cache layer, its q/k norm weights, and the
 * kernels it shares with every layer of the same spec (RoPE tables, the paged attention kernel,
 * the per-head RMSNorm).
 *
 * @param qNorm    per-head q norm or null
 * @param kNorm    per-head k norm or null
 * @param headNorm RMSNorm over headDim, null without q/k norms
 */
record CpuAttention(AttentionSpec spec, int cacheLayer, CpuNorm qNorm, CpuNorm kNorm, RmsNorm headNorm, Rope rope,
                    PagedAttention kernel) implements AttentionLayer {}
