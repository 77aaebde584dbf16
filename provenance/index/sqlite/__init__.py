"""The built-in embedded index: one SQLite file.

`store` (the `sqlite` backend, registered as a plugin), `index` (the index: documents, segments, retrieval),
`schema` (the tables), `connection` (opening the file, failures as one-line errors, transactions), `vectors`
(stored sentence vectors), `check` (`provenance index check`).
"""
