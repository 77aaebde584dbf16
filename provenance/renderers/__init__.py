"""Built-in report renderers: text (rich) and json (the documented schema)."""
