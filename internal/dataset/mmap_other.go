//go:build !unix

package dataset

import "os"

// mapFile reads a file into memory (platforms without mmap).
func mapFile(path string) ([]byte, func(), error) {
	data, err := os.ReadFile(path)
	return data, func() {}, err
}
