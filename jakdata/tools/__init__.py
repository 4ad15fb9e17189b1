"""The tools behind the commands, one module each: citation, release, diff, docs, coverage,
export (and site: the SQLite export as a website), browse, plot, hashes, ctgov (`jakdata import ctgov`)."""
