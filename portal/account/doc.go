// Package account holds the credential rules of the portal: argon2id
// password hashes, random secrets for sessions, API tokens and one-time
// passwords (kept only as hashes), and the normal forms of login ids.
// It does no I/O.
package account
