"""One table: CSV reading, type conversion, vectorised column helpers."""
