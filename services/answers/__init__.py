"""Statistics-law answers in the chat (/faq, /law, /tip, inline mode): their texts and rendering."""
