"""Domain rules of each feature, with its user-facing texts and neutral button descriptions; never telegram, never bot/ or handlers/."""
