"""The built-in embedded index: one SQLite file.

`store` (the index: documents, segments, retrieval; registered as the `sqlite` backend), `schema` (the tables),
`connection` (opening the file, failures as one-line errors, transactions), `vectors` (stored sentence vectors),
`check` (`provenance index check`).
"""
