"""The tools behind the commands: cite, release, diff, docs, export, plot, hashes."""
