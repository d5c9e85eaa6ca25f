//! commis-docs (placeholder until its issue lands).
