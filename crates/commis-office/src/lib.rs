//! commis-office (placeholder until its issue lands).
