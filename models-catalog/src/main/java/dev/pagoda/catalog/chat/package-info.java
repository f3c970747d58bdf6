/**
 * Chat templates: turning a conversation into the prompt text a model was trained on, exactly as
 * transformers' {@code apply_chat_template} does. {@link dev.pagoda.catalog.chat.ChatTemplates} reads
 * them ({@code tokenizer_config.json}, GGUF metadata text, a template file),
 * {@link dev.pagoda.catalog.chat.ChatTemplate} renders a {@link dev.pagoda.catalog.chat.ChatContext}.
 */
package dev.pagoda.catalog.chat;
