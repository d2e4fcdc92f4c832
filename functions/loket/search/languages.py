"""The knowledge base's languages: those its pages are written in, each with its
stop words, stemmer, synonyms and glossary entries. The interface may speak more
(loket.locale.LANGUAGES: German); a search from a German page looks through these."""

LANGUAGES = ("en", "nl")
