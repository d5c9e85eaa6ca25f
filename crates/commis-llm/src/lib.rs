//! commis-llm (placeholder until its issue lands).
