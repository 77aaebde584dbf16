"""Built-in detectors: copy, rewrite and commentary. Each is a plugin registered through `register_detectors`."""
