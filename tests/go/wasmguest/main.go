// A waPC guest built with standard Go for wasm on the generated tinygo/module code (its
// waPC functions from the generated go/wapc package): it echoes values back, calls the host,
// and fails on request, so that both hosts can check every type crossing the boundary. It
// mirrors tests/roundtrip/guest/src/lib.rs. Build: GOOS=wasip1 GOARCH=wasm go build
// -buildmode=c-shared -o guest.wasm ./wasmguest
package main

import (
	"errors"
	"fmt"
	"strings"

	"example.com/roundtrip/wasmguest/module"
)

var calls uint64

// A c-shared module runs its init functions when the host starts it, and never main.
func init() {
	module.Handlers{
		Echo:         func(value module.Everything) (module.Everything, error) { return value, nil },
		EchoString:   func(value string) (string, error) { return value, nil },
		EchoBytes:    func(value []byte) ([]byte, error) { return value, nil },
		EchoShape:    func(value module.Shape) (module.Shape, error) { return value, nil },
		EchoColor:    func(value module.Color) (module.Color, error) { return value, nil },
		EchoOptional: func(value *int64) (*int64, error) { return value, nil },
		EchoMap:      func(value map[string][]int64) (map[string][]int64, error) { return value, nil },
		Describe:     describe,
		Ping:         func() error { calls++; return nil },
		Count:        func() (uint64, error) { return calls, nil },
		Fail:         func(message string) (string, error) { return "", errors.New(message) },
		Relay:        relay,
	}.Register()
}

func main() {}

func describe(name string, count uint32, point *module.Point, tags module.Tags) (string, error) {
	at := "none"
	if point != nil {
		at = fmt.Sprintf("(%v, %v)", point.X, point.Y)
	}
	return fmt.Sprintf("%s x%d at %s [%s]", name, count, at, strings.Join(tags, ", ")), nil
}

func relay(level uint8, message string) (string, error) {
	answer, err := module.NewHost("default").Log(level, message)
	if err != nil {
		return "", err
	}
	return "host said: " + answer, nil
}
