//! commis-skills (placeholder until its issue lands).
