"""The lesson site's database backend: SQLite that tells the request when it connects."""
