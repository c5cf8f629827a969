"""Gap reports: one writer per format behind one interface (base, registry: html, xlsx,
docx, markdown), and the archive-wide check that writes them into ``<out>/gaps/``
(archive)."""
