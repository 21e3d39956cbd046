package wire_test

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/big"
	"reflect"
	"testing"

	msgpack "github.com/wapc/tinygo-msgpack"

	"example.com/compat/go-wire/guest"
	"example.com/compat/go-wire/host"
)

// vector is an integer in one MessagePack format.
type vector struct {
	format string
	value  *big.Int
	data   []byte
}

func encoded(prefix byte, size int, bits uint64) []byte {
	data := make([]byte, 8)
	binary.BigEndian.PutUint64(data, bits)
	return append([]byte{prefix}, data[8-size:]...)
}

// vectors are the edges of every integer format, and small values written in wide formats.
func vectors() []vector {
	var all []vector
	signed := func(format string, prefix byte, size int, values ...int64) {
		for _, v := range values {
			all = append(all, vector{format, big.NewInt(v), encoded(prefix, size, uint64(v))})
		}
	}
	unsigned := func(format string, prefix byte, size int, values ...uint64) {
		for _, v := range values {
			all = append(all, vector{format, new(big.Int).SetUint64(v), encoded(prefix, size, v)})
		}
	}
	for _, v := range []int64{0, 1, 127} {
		all = append(all, vector{"positive fixint", big.NewInt(v), []byte{byte(v)}})
	}
	for _, v := range []int64{-1, -32} {
		all = append(all, vector{"negative fixint", big.NewInt(v), []byte{byte(v)}})
	}
	unsigned("uint 8", 0xcc, 1, 0, 5, 127, 128, 255)
	unsigned("uint 16", 0xcd, 2, 5, 255, 256, 32767, 32768, 65535)
	unsigned("uint 32", 0xce, 4, 5, 65536, math.MaxInt32, math.MaxInt32+1, math.MaxUint32)
	unsigned("uint 64", 0xcf, 8, 5, math.MaxUint32+1, math.MaxInt64, math.MaxInt64+1, math.MaxUint64)
	signed("int 8", 0xd0, 1, math.MinInt8, -1, 0, 5, math.MaxInt8)
	signed("int 16", 0xd1, 2, math.MinInt16, math.MinInt8-1, -1, 5, 200, math.MaxInt16)
	signed("int 32", 0xd2, 4, math.MinInt32, math.MinInt16-1, -1, 5, 70000, math.MaxInt32)
	signed("int 64", 0xd3, 8, math.MinInt64, math.MinInt32-1, -1, 5, math.MaxUint32+1, math.MaxInt64)
	return all
}

// fits reports whether value is in the range of the integer type t.
func fits(value *big.Int, t reflect.Type) bool {
	bits := uint(t.Bits())
	low, high := big.NewInt(0), new(big.Int).Lsh(big.NewInt(1), bits)
	if t.Kind() >= reflect.Int && t.Kind() <= reflect.Int64 {
		high = new(big.Int).Lsh(big.NewInt(1), bits-1)
		low = new(big.Int).Neg(high)
	}
	return value.Cmp(low) >= 0 && value.Cmp(high) < 0
}

func read(field reflect.Value) *big.Int {
	if field.CanInt() {
		return big.NewInt(field.Int())
	}
	return new(big.Int).SetUint64(field.Uint())
}

func TestEveryIntegerFormatDecodesIntoEveryFieldItFits(t *testing.T) {
	targets := map[string]func() msgpack.Decodable{
		"tinygo/module": func() msgpack.Decodable { return new(guest.Integers) },
		"go/host":       func() msgpack.Decodable { return new(host.Integers) },
	}
	fields := []string{"i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64"}
	accepted, refused := 0, 0
	for target, fresh := range targets {
		for _, name := range fields {
			for _, v := range vectors() {
				// {name: v}
				payload := append([]byte{0x81, 0xa0 | byte(len(name))}, name...)
				payload = append(payload, v.data...)
				value := fresh()
				err := msgpack.Unmarshal(payload, value)
				field := reflect.ValueOf(value).Elem().FieldByIndex([]int{indexOf(value, name)})
				if fits(v.value, field.Type()) {
					accepted++
					if err != nil {
						t.Errorf("%s: %s %s as %s: %v", target, v.format, v.value, name, err)
					} else if got := read(field); got.Cmp(v.value) != 0 {
						t.Errorf("%s: %s %s as %s read %s", target, v.format, v.value, name, got)
					}
				} else {
					refused++
					if err == nil {
						t.Errorf("%s: %s %s was read as %s (%s)", target, v.format, v.value, name, read(field))
					}
				}
			}
		}
	}
	t.Logf("integer vectors ok: %d accepted, %d refused", accepted, refused)
}

// indexOf is the index of the struct field whose json tag is name.
func indexOf(value msgpack.Decodable, name string) int {
	fields := reflect.TypeOf(value).Elem()
	for i := 0; i < fields.NumField(); i++ {
		if fields.Field(i).Tag.Get("json") == name {
			return i
		}
	}
	panic("no field " + name)
}

func TestOptionalSlicesAndMapsAreNilWhenAbsentAndOtherwiseNot(t *testing.T) {
	for _, c := range []struct {
		what string
		blob guest.Blob
		wire []byte
	}{
		{"absent", guest.Blob{}, []byte{
			0x83, 0xa5, 'm', 'a', 'y', 'b', 'e', 0xc0, 0xa4, 'l', 'i', 's', 't', 0xc0, 0xa3, 'm', 'a', 'p', 0xc0,
		}},
		{"empty", guest.Blob{Maybe: []byte{}, List: []string{}, Map: map[string]int64{}}, []byte{
			0x83, 0xa5, 'm', 'a', 'y', 'b', 'e', 0xc4, 0x00, 0xa4, 'l', 'i', 's', 't', 0x90, 0xa3, 'm', 'a', 'p', 0x80,
		}},
		{"full", guest.Blob{Maybe: []byte{1, 2}, List: []string{"a"}, Map: map[string]int64{"k": 200}}, []byte{
			0x83, 0xa5, 'm', 'a', 'y', 'b', 'e', 0xc4, 0x02, 1, 2, 0xa4, 'l', 'i', 's', 't', 0x91, 0xa1, 'a',
			0xa3, 'm', 'a', 'p', 0x81, 0xa1, 'k', 0xcc, 0xc8,
		}},
	} {
		hostBlob := host.Blob(c.blob)
		if got := c.blob.ToBuffer(); !bytes.Equal(got, c.wire) {
			t.Errorf("tinygo/module: %s encodes as %x, not %x", c.what, got, c.wire)
		}
		if got := hostBlob.ToBuffer(); !bytes.Equal(got, c.wire) {
			t.Errorf("go/host: %s encodes as %x, not %x", c.what, got, c.wire)
		}
		decoder := msgpack.NewDecoder(c.wire)
		// DeepEqual tells a nil slice or map from an empty one.
		if decoded, err := guest.DecodeBlob(&decoder); err != nil || !reflect.DeepEqual(decoded, c.blob) {
			t.Errorf("tinygo/module: %s decodes as %#v, %v", c.what, decoded, err)
		}
		decoder = msgpack.NewDecoder(c.wire)
		if decoded, err := host.DecodeBlob(&decoder); err != nil || !reflect.DeepEqual(decoded, hostBlob) {
			t.Errorf("go/host: %s decodes as %#v, %v", c.what, decoded, err)
		}
	}
}

func TestTheOldHelpersReportMalformedDataAndNil(t *testing.T) {
	decoder := msgpack.NewDecoder([]byte{0x81, 0xa2, 'i', '8', 0xcc})
	if _, err := guest.DecodeIntegers(&decoder); err == nil {
		t.Error("truncated data was decoded")
	}
	decoder = msgpack.NewDecoder([]byte{0xc0})
	if value, err := host.DecodeIntegersNullable(&decoder); value != nil || err != nil {
		t.Errorf("nil decoded as %v, %v", value, err)
	}
	var absent *guest.Blob
	if got := absent.ToBuffer(); !bytes.Equal(got, []byte{0xc0}) {
		t.Errorf("a nil Blob encodes as %x", got)
	}
}
