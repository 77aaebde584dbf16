"""Built-in input extractors: plain text, Markdown and HTML."""
