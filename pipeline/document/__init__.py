"""The bottom layer: the document model every stage passes on (read document, extracted
facts, their JSON both ways), text normalisation, the outline, document types, limits,
labels and code versions. Imports nothing else of vanban."""
