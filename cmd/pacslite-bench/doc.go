// Command pacslite-bench measures pacslite against Orthanc 1.10 with its
// DICOMweb plugin on the same machine, with the same client code, and
// prints one markdown table (recorded in conformance/BENCHMARKS.md):
//
//  1. STOW-RS ingest, instances/s and MB/s, with 1, 4 and 8 clients;
//  2. QIDO-RS p50/p95/p99 of the study-list requests OHIF makes, at each
//     archive size (default 10k and 1M instances);
//  3. WADO-RS series metadata latency (100 and 1,000 instances), whole-study
//     retrieve MB/s and single-frame fetches per second with 4 clients;
//  4. peak RSS while one STOW-RS request carries a 2 GB study.
//
// The archive is synthetic but made of real files: CT, MR, PET and CR files
// of testdata/ are cloned with fresh UIDs, patients, dates, descriptions
// and image sizes (template.go, part10.go, plan.go), written to a temporary
// folder and sent with the stowclient package, the code behind `pacslite
// import`. Sizes beyond --stow-max are written straight into pacslite's
// index (records.go) with the server stopped, then queried over HTTP.
//
// Each server runs in turn on a fresh folder on loopback (server.go,
// orthanc.go); every measurement is repeated and the medians reported,
// with the server's own CPU time per operation, which other load on the
// machine disturbs far less than wall time (results.go, report.go).
// --quick is a small run of everything but the 2 GB study, for CI.
package main
