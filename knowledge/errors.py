"""The one error the knowledge base raises: bad or missing data, with a message naming where."""


class KnowledgeError(Exception):
    """The knowledge data cannot be loaded; the message says which file or entry and why."""
