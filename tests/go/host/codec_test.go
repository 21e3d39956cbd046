package host_test

import (
	"context"
	"strings"
	"testing"

	msgpack "github.com/wapc/tinygo-msgpack"

	"example.com/roundtrip/host"
)

func decoder(data []byte) msgpack.Reader {
	decoder := msgpack.NewDecoder(data)
	return &decoder
}

func encode(t *testing.T, value msgpack.Encodable) []byte {
	t.Helper()
	encoded, err := msgpack.ToBytes(value)
	if err != nil {
		t.Fatal(err)
	}
	return encoded
}

func TestHostCallHandlerRoutesTheRolesOperations(t *testing.T) {
	handler := host.HostCallHandler(logger{})
	ctx := context.Background()
	args := host.LogArgs{Level: 1, Message: "hello"}
	request := encode(t, &args)
	response, err := handler(ctx, "default", "roundtrip", "log", request)
	if err != nil {
		t.Fatal(err)
	}
	reply, err := decoder(response).ReadString()
	if err != nil || reply != `logged "hello" at level 1` {
		t.Errorf("log answered %q, %v", reply, err)
	}
	if _, err := handler(ctx, "default", "roundtrip", "log", encode(t, &host.LogArgs{Level: 6})); err == nil || err.Error() != "no such level: 6" {
		t.Errorf("the handler's error did not come back: %v", err)
	}
	if _, err := handler(ctx, "default", "roundtrip", "nosuch", nil); err == nil || !strings.Contains(err.Error(), `"nosuch"`) {
		t.Errorf("an unknown operation was not refused: %v", err)
	}
	if _, err := handler(ctx, "default", "roundtrip", "log", []byte{0x81, 0xdb, 0xff, 0xff, 0xff, 0xff}); err == nil {
		t.Error("a malformed payload was accepted")
	}
}
