// Package fsblob is the embedded blob store: each blob is one file under a
// data folder, key "a/b/c" at DIR/a/b/c.
//
// Writes are atomic and durable: Put streams into a temporary file in
// DIR/.tmp~ (a name no valid key can reach), fsyncs it, renames it over the
// key's path and fsyncs the directory, so readers see the old blob or the
// new one and a crash leaves one of them. Temporary files left by a crash are
// removed by CleanTemp, which the server calls at start-up.
//
// Readers returned by Open are *os.File, so an http.ResponseWriter can send
// them with sendfile(2); OpenRange's readers keep that path open through
// WriteTo.
package fsblob
