"""Ground floor that every layer may import: settings, Chinese formatting, typed callback data."""
