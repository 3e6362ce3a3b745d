package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// config is what the flags say.
type config struct {
	quick       bool
	orthanc     bool
	orthancSet  bool // --orthanc given explicitly: install it if missing
	out         string
	sizes       []int
	repeats     int
	samples     int           // requests per latency measurement run
	budget      time.Duration // at most this long per latency measurement run
	frames      time.Duration // length of a frames run
	bigStow     int64         // bytes of the one-request study; 0 skips
	stowMax     int           // larger archive sizes are indexed directly (pacslite only)
	seed        uint64
	tmp         string
	keep        bool
	pacsliteBin string
	archive     archiveConfig
	maxSide     int
}

func parseConfig(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("pacslite-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	_, orthancErr := findOrthanc()
	quick := fs.Bool("quick", false, "small archive, one run of each measurement, no 2 GB study: under 3 minutes (what CI runs)")
	orthanc := fs.Bool("orthanc", orthancErr == nil, "also measure Orthanc 1.10 + DICOMweb (default: when installed; --orthanc=true installs Debian's packages if missing)")
	out := fs.String("out", "", "markdown file to record the results in (default conformance/BENCHMARKS.md, none with --quick)")
	sizes := fs.String("sizes", "", "archive sizes in instances at which QIDO-RS is measured, e.g. 10k,100k,1m (default 10k,1m; --quick 1k); the first is sent over STOW-RS, larger ones up to --stow-max too, the rest indexed directly (pacslite only)")
	stowMax := fs.String("stow-max", "100k", "largest archive size loaded over STOW-RS; larger sizes are written straight into pacslite's index")
	repeats := fs.Int("repeats", 0, "runs of each measurement; medians are reported (default 3, --quick 1)")
	seed := fs.Uint64("seed", 1, "seed of the synthetic archive")
	tmp := fs.String("tmp", "", "folder for the generated files and server data (default: a new temporary folder)")
	keep := fs.Bool("keep", false, "keep the temporary folder")
	bin := fs.String("pacslite", "", "pacslite binary to run (default: go build ./cmd/pacslite)")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	c := config{quick: *quick, orthanc: *orthanc, out: *out, seed: *seed, tmp: *tmp, keep: *keep, pacsliteBin: *bin}
	fs.Visit(func(f *flag.Flag) { c.orthancSet = c.orthancSet || f.Name == "orthanc" })
	if c.quick {
		c.repeats, c.samples, c.budget, c.frames = 1, 30, 5*time.Second, 2*time.Second
		c.archive = archiveConfig{ingestRuns: 3, ingestStudies: 1, ingestPerSeries: 40, ctMatrix: 128, large: 300, small: 100}
		c.maxSide = 128
		if *sizes == "" {
			*sizes = "1k"
		}
	} else {
		c.repeats, c.samples, c.budget, c.frames = 3, 100, 20*time.Second, 10*time.Second
		c.bigStow = 2 << 30
		c.archive = archiveConfig{ingestRuns: 9, ingestStudies: 3, ingestPerSeries: 100, ctMatrix: 512, large: 1000, small: 100}
		if *sizes == "" {
			*sizes = "10k,1m"
		}
		if c.out == "" {
			c.out = "conformance/BENCHMARKS.md"
		}
	}
	if *repeats > 0 {
		c.repeats = *repeats
		c.archive.ingestRuns = 3 * *repeats
	}
	var err error
	if c.sizes, err = parseSizes(*sizes); err != nil {
		return c, err
	}
	if m, err := parseSizes(*stowMax); err != nil || len(m) != 1 {
		return c, fmt.Errorf("--stow-max %q is not a size", *stowMax)
	} else {
		c.stowMax = m[0]
	}
	c.archive.size = c.sizes[0]
	if c.sizes[0] > c.stowMax {
		return c, fmt.Errorf("the first size (%d) is sent over STOW-RS and must not exceed --stow-max (%d)", c.sizes[0], c.stowMax)
	}
	return c, nil
}

const usage = `usage: go run ./cmd/pacslite-bench [flags]

Benchmarks pacslite against Orthanc 1.10 + DICOMweb on this machine: STOW-RS
ingest, QIDO-RS study-list latency, WADO-RS metadata, retrieve and frames, and
peak memory while ingesting a 2 GB study. Prints a markdown table and records
it in --out. Run it from the repository root.

flags:
`

// parseSizes reads "10k,1m,250000".
func parseSizes(s string) ([]int, error) {
	var out []int
	for _, p := range strings.Split(s, ",") {
		p = strings.ToLower(strings.TrimSpace(p))
		mult := 1.0
		switch {
		case strings.HasSuffix(p, "k"):
			mult, p = 1e3, strings.TrimSuffix(p, "k")
		case strings.HasSuffix(p, "m"):
			mult, p = 1e6, strings.TrimSuffix(p, "m")
		}
		f, err := strconv.ParseFloat(p, 64)
		if err != nil || f <= 0 {
			return nil, fmt.Errorf("size %q: want a count like 10k or 1m", p)
		}
		n := int(f * mult)
		if len(out) > 0 && n <= out[len(out)-1] {
			return nil, fmt.Errorf("sizes must grow: %d after %d", n, out[len(out)-1])
		}
		out = append(out, n)
	}
	return out, nil
}
