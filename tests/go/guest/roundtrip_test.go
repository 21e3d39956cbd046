package guest

// The generated TinyGo guest code, run natively (wapc-guest-tinygo has stub imports outside
// wasm): its encoders must give the Rust target's bytes for the same values
// (tests/roundtrip/vectors.txt), its decoders must read them back, and its operation
// wrappers must serve payloads as the Rust guest does.

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	msgpack "github.com/wapc/tinygo-msgpack"

	"example.com/roundtrip/vectors"
)

// everything is the value of everything() in tests/roundtrip/host/src/main.rs.
func everything() Everything {
	point := Point{X: -1.5, Y: 2.25}
	optionalPoint := point
	return Everything{
		I8:       math.MinInt8,
		I16:      math.MinInt16,
		I32:      math.MinInt32,
		I64:      math.MinInt64,
		U8:       math.MaxUint8,
		U16:      math.MaxUint16,
		U32:      math.MaxUint32,
		U64:      math.MaxUint64,
		F32:      math.MaxFloat32,
		F64:      -0x1p-1022, // -f64::MIN_POSITIVE
		Bool:     true,
		String:   "héllo, wörld: 日本語 🦀 \x00 \"quoted\"",
		Datetime: "2026-11-25T12:00:00.123456789Z",
		Bytes:    []byte{0, 1, 2, 254, 255},
		// [1, "two", nil]
		Raw:            Raw{0x93, 0x01, 0xa3, 't', 'w', 'o', 0xc0},
		Color:          ColorBlue,
		Shape:          Shape{Circle: &Circle{Center: point, Radius: 3.5}},
		Label:          "a label",
		Tags:           Tags{"a", "", "ç"},
		OptionalString: nil,
		OptionalPoint:  &optionalPoint,
		OptionalBytes:  []byte{},
		List:           []int64{math.MaxInt64, 0, -1},
		NestedList:     [][]string{{}, {"x", "y"}},
		Map:            map[string]int64{"minus": -1},
		NestedMap:      map[string]map[string][]Point{"outer": {"inner": {point, point}}},
		ColorMap:       map[Color]string{ColorGreen: "g"},
		ListOfMaps:     []map[string][]byte{{"k": {9, 8, 7}}},
		Type:           "keyword",
		Match:          42,
	}
}

// codable is a generated type behind a pointer: what the canonical values are.
type codable interface {
	msgpack.Encodable
	msgpack.Decodable
}

// canonical are the values of canonical() in tests/roundtrip/host/src/main.rs.
func canonical() map[string]codable {
	blue := ColorBlue
	s := "s"
	value := everything()
	return map[string]codable{
		"point":        &Point{X: 1.0, Y: -2.5},
		"color":        &blue,
		"shape_circle": &Shape{Circle: &Circle{Center: Point{X: 0, Y: 0}, Radius: 1.5}},
		"shape_string": &Shape{String: &s},
		"everything":   &value,
		"describe_args": &DescribeArgs{
			Name:  "n",
			Count: 7,
			Point: nil,
			Tags:  Tags{"t"},
		},
	}
}

func loadVectors(t *testing.T) map[string][]byte {
	t.Helper()
	loaded, err := vectors.Load()
	if err != nil {
		t.Fatal(err)
	}
	return loaded
}

func TestEncodingsEqualTheRustTargetsAndDecodeBack(t *testing.T) {
	vectors := loadVectors(t)
	values := canonical()
	if len(vectors) != len(values) {
		t.Fatalf("vectors.txt has %d vectors, the test %d values", len(vectors), len(values))
	}
	for name, value := range values {
		want, ok := vectors[name]
		if !ok {
			t.Fatalf("no vector %q", name)
		}
		got, err := msgpack.ToBytes(value)
		if err != nil {
			t.Fatalf("%s: encode: %v", name, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("the encoding of %s differs from vectors.txt:\n got %s\nwant %s", name, hex.EncodeToString(got), hex.EncodeToString(want))
		}
		decoded := reflect.New(reflect.TypeOf(value).Elem()).Interface().(codable)
		if err := decodePayload(want, decoded.Decode); err != nil {
			t.Fatalf("%s: decode: %v", name, err)
		}
		if !reflect.DeepEqual(decoded, value) {
			t.Errorf("%s decoded as %+v, want %+v", name, decoded, value)
		}
	}
	if !t.Failed() {
		t.Logf("vectors ok: %d encodings match", len(vectors))
	}
}

// served calls an operation's generated wrapper as waPC would.
func served(t *testing.T, wrapper func([]byte) ([]byte, error), request []byte) []byte {
	t.Helper()
	response, err := wrapper(request)
	if err != nil {
		t.Fatalf("the operation failed: %v", err)
	}
	return response
}

func encoded(t *testing.T, encode func(w msgpack.Writer) error) []byte {
	t.Helper()
	payload, err := encodePayload(encode)
	if err != nil {
		t.Fatal(err)
	}
	return payload
}

func TestWrappersServeEveryTypeAsTheRustGuestDoes(t *testing.T) {
	calls := uint64(0)
	Handlers{
		Echo:         func(value Everything) (Everything, error) { return value, nil },
		EchoString:   func(value string) (string, error) { return value, nil },
		EchoBytes:    func(value []byte) ([]byte, error) { return value, nil },
		EchoShape:    func(value Shape) (Shape, error) { return value, nil },
		EchoColor:    func(value Color) (Color, error) { return value, nil },
		EchoOptional: func(value *int64) (*int64, error) { return value, nil },
		EchoMap:      func(value map[string][]int64) (map[string][]int64, error) { return value, nil },
		Describe: func(name string, count uint32, point *Point, tags Tags) (string, error) {
			at := "none"
			if point != nil {
				at = fmt.Sprintf("(%v, %v)", point.X, point.Y)
			}
			return fmt.Sprintf("%s x%d at %s [%s]", name, count, at, strings.Join(tags, ", ")), nil
		},
		Ping:  func() error { calls++; return nil },
		Count: func() (uint64, error) { return calls, nil },
		Fail:  func(message string) (string, error) { return "", errors.New(message) },
	}.Register()
	vectors := loadVectors(t)
	checks := 0
	check := func(what string, ok bool) {
		t.Helper()
		if !ok {
			t.Fatalf("round trip failed: %s", what)
		}
		checks++
	}
	// Echo operations decode the request and encode the result: the bytes must come back
	// exactly as the Rust target wrote them.
	echoes := func(what string, wrapper func([]byte) ([]byte, error), request []byte) {
		t.Helper()
		check(what, bytes.Equal(served(t, wrapper, request), request))
	}
	echoes("every type", echoWrapper, vectors["everything"])
	echoes("string", echoStringWrapper, encoded(t, func(w msgpack.Writer) error {
		w.WriteString("𝄞 – ünïcödé – \U0010FFFF")
		return nil
	}))
	echoes("empty string", echoStringWrapper, []byte{0xa0})
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	echoes("bytes", echoBytesWrapper, encoded(t, func(w msgpack.Writer) error {
		w.WriteByteArray(all)
		return nil
	}))
	echoes("union (a type)", echoShapeWrapper, vectors["shape_circle"])
	echoes("union (a primitive)", echoShapeWrapper, vectors["shape_string"])
	for _, color := range []Color{ColorRed, ColorGreen, ColorBlue} {
		echoes("enum "+color.String(), echoColorWrapper, encoded(t, color.Encode))
	}
	echoes("optional none", echoOptionalWrapper, []byte{0xc0})
	echoes("optional some", echoOptionalWrapper, []byte{0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0})
	echoes("map", echoMapWrapper, []byte{0x81, 0xa1, 'a', 0x92, 0x01, 0xcc, 0xc8})

	describe := func(args DescribeArgs) string {
		var result string
		err := decodePayload(served(t, describeWrapper, encoded(t, args.Encode)), func(r msgpack.Reader) (err error) {
			result, err = r.ReadString()
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return result
	}
	described := describe(DescribeArgs{Name: "widget", Count: 3, Point: &Point{X: 1, Y: 2}, Tags: Tags{"new", "blue"}})
	check("parameters", described == "widget x3 at (1, 2) [new, blue]")
	check("absent optional parameter", describe(DescribeArgs{Name: "none", Tags: Tags{}}) == "none x0 at none []")
	check("the Rust target's parameters", bytes.Equal(served(t, describeWrapper, vectors["describe_args"]), encoded(t, func(w msgpack.Writer) error {
		w.WriteString("n x7 at none [t]")
		return nil
	})))

	check("void operation", len(served(t, pingWrapper, nil)) == 0)
	served(t, pingWrapper, nil)
	check("no parameters", bytes.Equal(served(t, countWrapper, nil), []byte{0x02}))
	_, err := failWrapper([]byte{0xa8, 'i', 't', ' ', 'b', 'r', 'o', 'k', 'e'})
	check("guest error", err != nil && err.Error() == "it broke")
	t.Logf("round trip ok: %d checks passed", checks)
}

func TestDecodersAcceptEveryIntegerFormAndRejectBadData(t *testing.T) {
	decodeI16 := func(data ...byte) (value int16, err error) {
		err = decodePayload(data, func(r msgpack.Reader) (err error) {
			value, err = decodeInt16(r)
			return err
		})
		return value, err
	}
	// rmp-serde writes a non-negative i16 such as 200 as a uint 8.
	if value, err := decodeI16(0xcc, 0xc8); err != nil || value != 200 {
		t.Errorf("uint 8 200 as an i16: %v %v", value, err)
	}
	if value, err := decodeI16(0xd1, 0x80, 0x00); err != nil || value != math.MinInt16 {
		t.Errorf("int 16 -32768 as an i16: %v %v", value, err)
	}
	if _, err := decodeI16(0xcd, 0x80, 0x00); err == nil {
		t.Error("32768 was read as an i16")
	}
	if _, err := decodeI16(0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff); err == nil {
		t.Error("u64 max was read as an i16")
	}
	bad := []struct {
		what   string
		data   []byte
		decode func(r msgpack.Reader) error
	}{
		{"a color index that is not a value", []byte{0x03}, new(Color).Decode},
		{"an unknown union member", []byte{0x81, 0xa3, 'S', 'q', 'u', 0xc0}, new(Shape).Decode},
		{"a union of two entries", []byte{0x82, 0xa1, 'a', 0xc0, 0xa1, 'b', 0xc0}, new(Shape).Decode},
		{"a truncated point", []byte{0x82, 0xa1, 'x', 0xcb, 0x3f}, new(Point).Decode},
		{"a string longer than the data", []byte{0x81, 0xdb, 0xff, 0xff, 0xff, 0xff}, new(Shape).Decode},
		{"an i8 out of range", []byte{0x81, 0xa2, 'i', '8', 0xcc, 0x80}, new(Everything).Decode},
		{"no data", []byte{}, new(Point).Decode},
	}
	for _, c := range bad {
		if err := decodePayload(c.data, c.decode); err == nil {
			t.Errorf("%s was accepted", c.what)
		}
	}
	if _, err := encodePayload((&Shape{}).Encode); err == nil {
		t.Error("a union without a member was encoded")
	}
}
