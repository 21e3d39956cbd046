package host_test

// The generated go/host client on wapc-go (wazero) runs every round-trip guest (Rust,
// AssemblyScript, standard Go), each built once by the matrix test: every WIDL
// type crosses the boundary unchanged, the guest calls the host through the generated
// HostCallHandler, and errors travel both ways. The checks mirror those of the Rust host,
// tests/roundtrip/host/src/main.rs.

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	wapc "github.com/wapc/wapc-go"

	"example.com/roundtrip/host"
	"example.com/roundtrip/vectors"
)

// logger serves the Logger role, as the Rust host's does.
type logger struct{}

func (logger) Log(_ context.Context, level uint8, message string) (string, error) {
	if level > 5 {
		return "", fmt.Errorf("no such level: %d", level)
	}
	return fmt.Sprintf("logged %q at level %d", message, level), nil
}

// TestGuestsRoundTripEveryType runs each guest of WAPC_ROUNDTRIP_GUESTS, a list of
// name=module.wasm separated as PATH is, as a subtest of its name.
func TestGuestsRoundTripEveryType(t *testing.T) {
	guests := filepath.SplitList(os.Getenv("WAPC_ROUNDTRIP_GUESTS"))
	if len(guests) == 0 {
		t.Skip("WAPC_ROUNDTRIP_GUESTS names no round-trip guest (the matrix test sets it)")
	}
	for _, guest := range guests {
		name, path, ok := strings.Cut(guest, "=")
		if !ok {
			t.Fatalf("WAPC_ROUNDTRIP_GUESTS: %q is not name=module.wasm", guest)
		}
		t.Run(name, func(t *testing.T) {
			module, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			roundTrip(t, module)
		})
	}
}

// roundTrip runs guest through the generated client and wapc-go's engine as go/wazero makes it.
func roundTrip(t *testing.T, guest []byte) {
	ctx := context.Background()
	module, err := host.WazeroEngine().New(ctx, host.HostCallHandler(logger{}), guest, &wapc.ModuleConfig{
		Logger: wapc.PrintlnLogger,
		Stdout: os.Stdout,
		Stderr: os.Stderr,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer module.Close(ctx)
	instance, err := module.Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer instance.Close(ctx)
	client := host.NewClient(instance)

	checks := 0
	check := func(what string, ok bool) {
		t.Helper()
		if !ok {
			t.Fatalf("round trip failed: %s", what)
		}
		checks++
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	vectors, err := vectors.Load()
	must(err)
	// The Rust target's encoding of every type, read and written back by the host's codec.
	var value host.Everything
	must(value.Decode(decoder(vectors["everything"])))
	check("the Rust target's bytes, read and written", bytes.Equal(encode(t, &value), vectors["everything"]))
	echoed, err := client.Echo(ctx, value)
	must(err)
	check("every type", reflect.DeepEqual(echoed, value))
	// The guest re-encodes what it decoded: the host's bytes must come back exactly.
	request := encode(t, &value)
	response, err := instance.Invoke(ctx, "echo", request)
	must(err)
	check("every type, byte for byte", bytes.Equal(response, request))

	unicode := "𝄞 – ünïcödé – \U0010FFFF"
	text, err := client.EchoString(ctx, unicode)
	must(err)
	check("string", text == unicode)
	text, err = client.EchoString(ctx, "")
	must(err)
	check("empty string", text == "")
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	data, err := client.EchoBytes(ctx, all)
	must(err)
	check("bytes", bytes.Equal(data, all))
	negativeZero := math.Copysign(0, -1)
	member := "a string member"
	for _, shape := range []host.Shape{
		{Point: &host.Point{X: 0, Y: negativeZero}},
		{String: &member},
	} {
		echoed, err := client.EchoShape(ctx, shape)
		must(err)
		check("union", reflect.DeepEqual(echoed, shape))
		if shape.Point != nil {
			check("negative zero", math.Signbit(echoed.Point.Y))
		}
	}
	for _, color := range []host.Color{host.ColorRed, host.ColorGreen, host.ColorBlue} {
		echoed, err := client.EchoColor(ctx, color)
		must(err)
		check("enum", echoed == color)
	}
	none, err := client.EchoOptional(ctx, nil)
	must(err)
	check("optional none", none == nil)
	minimum := int64(math.MinInt64)
	some, err := client.EchoOptional(ctx, &minimum)
	must(err)
	check("optional some", some != nil && *some == minimum)
	lists := map[string][]int64{"a": {1, 2}, "b": {}}
	echoedMap, err := client.EchoMap(ctx, lists)
	must(err)
	check("map", reflect.DeepEqual(echoedMap, lists))
	described, err := client.Describe(ctx, "widget", 3, &host.Point{X: 1, Y: 2}, host.Tags{"new", "blue"})
	must(err)
	check("parameters", described == "widget x3 at (1, 2) [new, blue]")
	described, err = client.Describe(ctx, "none", 0, nil, host.Tags{})
	must(err)
	check("absent optional parameter", described == "none x0 at none []")
	must(client.Ping(ctx))
	must(client.Ping(ctx))
	count, err := client.Count(ctx)
	must(err)
	check("void operations", count == 2)
	_, err = client.Fail(ctx, "it broke")
	check("guest error", err != nil && strings.Contains(err.Error(), "it broke"))
	relayed, err := client.Relay(ctx, 2, "hi 👋")
	must(err)
	check("guest to host call", relayed == `host said: logged "hi 👋" at level 2`)
	_, err = client.Relay(ctx, 9, "too loud")
	check("host error", err != nil && strings.Contains(err.Error(), "no such level: 9"))
	_, err = instance.Invoke(ctx, "nosuch", nil)
	check("unknown operation", err != nil && strings.Contains(err.Error(), "nosuch"))
	// The wire format is fixed: a type is a map keyed by the WIDL field names.
	check("wire format", bytes.Equal(encode(t, &host.Point{X: 1, Y: 2}), []byte{
		0x82, 0xa1, 'x', 0xcb, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0xa1, 'y', 0xcb, 0x40, 0, 0, 0, 0, 0, 0, 0,
	}))
	t.Logf("round trip ok: %d checks passed", checks)
}
