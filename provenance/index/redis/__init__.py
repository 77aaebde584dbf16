"""The shared index on a Redis server.

`store` (the `redis` backend, registered as a plugin), `index` (the index: documents, segments, readers that
catch up with other clients), `layout` (the keys and what they hold), `scripts` (the Lua scripts that write
atomically), `connection` (the URL, retries, failures as one line), `vectors` (stored sentence vectors), `check`
(`provenance index check`).
"""
