//! Streaming CSV cleaning (see clean_csv).
