package dev.pagoda.engine.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BuiltinShapesTest {

    /** Parameter counts as published for the real checkpoints (transformers' num_parameters()). */
    @Test
    void shapesHaveTheRealModelsParameterCounts() {
        assertEquals(8_030_261_248L, BuiltinShapes.byName("llama3-8b").parameterCount());
        assertEquals(1_235_814_400L, BuiltinShapes.byName("llama3.2-1b").parameterCount());
        assertEquals(494_032_768L, BuiltinShapes.byName("qwen2.5-0.5b").parameterCount());
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        String message = assertThrows(IllegalArgumentException.class, () -> BuiltinShapes.byName("llama-70b"))
                .getMessage();
        assertTrue(message.contains("llama-70b") && message.contains("llama3-8b, llama3.2-1b, qwen2.5-0.5b"), message);
    }
}
