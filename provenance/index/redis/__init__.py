"""The shared index on a Redis server (`store`)."""
