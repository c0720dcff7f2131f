"""Statistics-law answers in the chat (/faq, /law, /tip, inline mode): texts, rendering, buttons."""
