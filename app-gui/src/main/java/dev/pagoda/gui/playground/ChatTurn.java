package dev.pagoda.gui.playground;

import java.util.Map;

/** One message of the playground's conversation. */
public record ChatTurn(String role, String content) {

    /** As a chat template reads a message. */
    public Map<String, Object> asTemplateMessage() {
        return Map.of("role", role, "content", content);
    }
}
