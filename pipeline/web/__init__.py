"""``vanban serve``: the read-only web app, one module per kind of page, reading the archive
through :class:`pipeline.index.Index` only."""
