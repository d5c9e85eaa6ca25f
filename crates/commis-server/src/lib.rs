//! commis-server (placeholder until its issue lands).
