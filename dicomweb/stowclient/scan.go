package stowclient

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// File is a DICOM file found by Scan.
type File struct {
	Path string
	Size int64
}

// Stats counts what Scan saw. Files = DICOM + Skipped.
type Stats struct {
	Files   int   // every entry seen but readable folders
	DICOM   int   // instances handed to fn
	Skipped int   // non-DICOM files, DICOMDIRs, symbolic links, devices and unreadable files
	Bytes   int64 // total size of the DICOM files

	// Unreadable counts the entries (files or folders) that could not be
	// read; they are among Skipped.
	Unreadable int
	// Directories counts the DICOMDIR files skipped; they are among Skipped.
	Directories int
}

// Scan walks roots (files or folders, in lexical order within a folder) and
// calls fn for every DICOM instance it finds. It reads at most the first
// 512 bytes of each file to decide.
//
// DICOMDIR files (Media Storage Directory, SOP class 1.2.840.10008.1.3.10)
// are skipped: the instances they index are found by the walk itself.
// Symbolic links inside the folders are not followed (counted as skipped):
// they can loop, point outside what the user chose, or make one instance
// upload twice; a root that is itself a link is followed. Files given twice
// (a folder and a file in it) are reported once.
//
// A root that does not exist is an error; unreadable entries below a root
// are counted and skipped. Scan stops at fn's first error and returns it.
func Scan(roots []string, fn func(f File) error) (Stats, error) {
	sc := scanner{fn: fn, seen: make(map[string]bool), buf: make([]byte, sniffLen)}
	for _, root := range roots {
		if err := sc.root(root); err != nil {
			return sc.st, err
		}
	}
	return sc.st, nil
}

type scanner struct {
	st   Stats
	fn   func(File) error
	seen map[string]bool // absolute paths already classified
	buf  []byte
}

func (sc *scanner) root(root string) error {
	fi, err := os.Stat(root)
	if err != nil {
		return fmt.Errorf("stowclient: scan: %w", err)
	}
	if !fi.IsDir() {
		return sc.file(root, fi.Mode())
	}
	if li, err := os.Lstat(root); err == nil && li.Mode()&fs.ModeSymlink != 0 {
		if root, err = filepath.EvalSymlinks(root); err != nil {
			return fmt.Errorf("stowclient: scan: %w", err)
		}
	}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == root && d == nil {
				return fmt.Errorf("stowclient: scan: %w", err)
			}
			// A folder that cannot be listed, or an entry gone since.
			sc.st.Files++
			sc.st.Skipped++
			sc.st.Unreadable++
			if d != nil && d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		return sc.file(p, d.Type())
	})
	return err
}

// file classifies one non-directory entry and hands instances to fn.
func (sc *scanner) file(p string, mode fs.FileMode) error {
	if abs, err := filepath.Abs(p); err == nil {
		if sc.seen[abs] {
			return nil
		}
		sc.seen[abs] = true
	}
	sc.st.Files++
	if !mode.IsRegular() {
		// Links are not followed; FIFOs and devices would block or never end.
		sc.st.Skipped++
		return nil
	}
	k, size, err := sc.sniffFile(p)
	if err != nil {
		sc.st.Skipped++
		sc.st.Unreadable++
		return nil
	}
	switch k {
	case instance:
		sc.st.DICOM++
		sc.st.Bytes += size
		return sc.fn(File{Path: p, Size: size})
	case directory:
		sc.st.Directories++
	}
	sc.st.Skipped++
	return nil
}

func (sc *scanner) sniffFile(p string) (kind, int64, error) {
	f, err := os.Open(p)
	if err != nil {
		return notDICOM, 0, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return notDICOM, 0, err
	}
	n, err := io.ReadFull(f, sc.buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return notDICOM, 0, err
	}
	return sniff(p, sc.buf[:n], fi.Size()), fi.Size(), nil
}
