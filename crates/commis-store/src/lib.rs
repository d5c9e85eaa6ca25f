//! commis-store (placeholder until its issue lands).
