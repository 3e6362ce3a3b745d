// Package blobtest is the conformance suite every blob.Store backend
// passes. A backend's test calls Run with a constructor of empty stores;
// optional capabilities (blob.RangeOpener, blob.Stater, blob.Lister,
// blob.Pinger) are tested when the store implements them and skipped
// otherwise.
package blobtest
