package dev.pagoda.catalog.gguf;

import dev.pagoda.catalog.config.Architecture;
import dev.pagoda.catalog.config.ModelSpec;

/**
 * llama.cpp's reordering of q/k projection rows for Llama-architecture GGUFs.
 * {@code convert_hf_to_gguf.py} ({@code LlamaModel.permute}) does
 * <pre>w.reshape(n_head, 2, rows / n_head / 2, *rest).swapaxes(1, 2).reshape(w.shape)</pre>
 * so that within each head the two rotate-half halves are interleaved (GPT-J style pairs, which is
 * what llama.cpp's RoPE rotates). Whole rows move, so it applies to every storage type alike.
 *
 * <pre>
 * one head of R rows, half = R/2:   HF row  i*half + j   (i = 0,1; j < half)
 *                                 = GGUF row 2*j + i
 * </pre>
 */
final class LlamaQkPermutation {

    private LlamaQkPermutation() {}

    /**
     * How many heads' rows llama.cpp interleaves in the HF tensor {@code hfName}: the query heads
     * for q_proj, the KV heads for k_proj (weight and bias), for Llama and Mistral only; else 0.
     */
    static int permutedHeads(String hfName, ModelSpec spec) {
        Architecture a = spec.architecture();
        if (a != Architecture.LLAMA && a != Architecture.MISTRAL) return 0;
        if (hfName.endsWith("self_attn.q_proj.weight") || hfName.endsWith("self_attn.q_proj.bias")) return spec.numHeads();
        if (hfName.endsWith("self_attn.k_proj.weight") || hfName.endsWith("self_attn.k_proj.bias")) return spec.numKvHeads();
        return 0;
    }

    /** The GGUF row holding HF row {@code hfRow} (the inverse direction, for reading). */
    static long ggufRowOf(long hfRow, long rows, int heads) {
        long perHead = rows / heads, half = perHead / 2;
        long head = hfRow / perHead, r = hfRow % perHead;
        return head * perHead + 2 * (r % half) + r / half;
    }

    /** The HF row stored at GGUF row {@code ggufRow} (the forward direction, for writing). */
    static long hfRowOf(long ggufRow, long rows, int heads) {
        long perHead = rows / heads, half = perHead / 2;
        long head = ggufRow / perHead, r = ggufRow % perHead;
        return head * perHead + (r % 2) * half + r / 2;
    }

    /** Whether {@code rows} splits into {@code heads} heads of an even number of rows. */
    static boolean applies(long rows, int heads) {
        return heads > 0 && rows % heads == 0 && (rows / heads) % 2 == 0;
    }
}
