"""Domain rules of each feature, its user-facing texts and neutral button descriptions.

Never imports telegram, bot/ or handlers/.
"""
