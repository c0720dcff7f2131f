"""The Bot API methods the emulator answers, one module per family of methods."""
