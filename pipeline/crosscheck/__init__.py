"""Cross-checking reports against the duties a plan assigned: linking (link), coverage of
each duty by its owner's reports (coverage), status buckets and submissions (status), the
whole check (check), and its typed data (model)."""
