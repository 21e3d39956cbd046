// Package vectors reads tests/roundtrip/vectors.txt: the MessagePack encodings of canonical
// values, written by the Rust round-trip host, that every language's encoders must match.
package vectors

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// Load returns the vectors by name.
func Load() (map[string][]byte, error) {
	_, here, _, _ := runtime.Caller(0)
	path := filepath.Join(filepath.Dir(here), "..", "..", "roundtrip", "vectors.txt")
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	vectors := map[string][]byte{}
	scanner := bufio.NewScanner(file)
	scanner.Buffer(nil, 1<<20)
	for scanner.Scan() {
		line := strings.TrimSpace(scanner.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, encoded, ok := strings.Cut(line, " ")
		if !ok {
			return nil, fmt.Errorf("%s: not `name hex`: %q", path, line)
		}
		bytes, err := hex.DecodeString(encoded)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", path, name, err)
		}
		vectors[name] = bytes
	}
	return vectors, scanner.Err()
}
