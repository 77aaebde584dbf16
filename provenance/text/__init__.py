"""Bytes to Document: read and decode (`inputs`, `decode`), extract blocks (`extractors`, the built-in input
plugins), split them into paragraphs and sentences with their tokens (`segment`, `tokenize`), and mark page furniture
(`boilerplate`). `load.load_document` runs these steps in order; nothing after it tokenises again."""
