"""Personal settings (/settings): what each person may switch on or off, and its texts."""
