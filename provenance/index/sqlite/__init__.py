"""The built-in embedded index: one SQLite file (`store`)."""
