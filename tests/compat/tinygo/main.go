// A TinyGo guest written against the old generator's API (@wapc/widl-codegen 0.0.7 and the
// versions around it), kept as it was: it must compile against wapc's output unchanged.
package main

import (
	"errors"

	msgpack "github.com/wapc/tinygo-msgpack"
	wapc "github.com/wapc/wapc-guest-tinygo"

	"example.com/compat/tinygo/pkg/module"
)

var store = module.NewHost("keyvalue")

func main() {
	module.Handlers{
		Handle:    handle,
		EchoBytes: echoBytes,
		Ping:      ping,
	}.Register()
	// Functions of its own, registered beside the generated ones, that read and write the
	// generated types by hand.
	wapc.RegisterFunctions(wapc.Functions{
		"decodeByHand": decodeByHand,
		"encodeByHand": encodeByHand,
	})
}

func handle(request module.Request) (module.Response, error) {
	body := request.Body
	// An optional bytes field is a []byte, nil when absent.
	if request.Maybe != nil {
		body = append(body, request.Maybe...)
	}
	var maybe []byte = request.Maybe
	if maybe == nil && request.Count != nil && *request.Count < 0 {
		return module.Response{}, errors.New("negative count")
	}
	for key, value := range request.Headers {
		if _, err := store.Set(key, []byte(value), 60); err != nil {
			return module.Response{}, err
		}
	}
	stored, err := store.Get(request.Method)
	if err != nil {
		return module.Response{}, err
	}
	response, err := store.Handle(module.Request{Method: "inner", Maybe: stored, Tags: request.Tags, Color: request.Color})
	if err != nil {
		return module.Response{}, err
	}
	if err := store.Ping(); err != nil {
		return module.Response{}, err
	}
	echoed, err := store.EchoBytes(body, uint32(len(body)))
	if err != nil {
		return module.Response{}, err
	}
	return module.Response{StatusCode: response.StatusCode, Body: echoed}, nil
}

func echoBytes(data []byte, n uint32) ([]byte, error) {
	if uint32(len(data)) < n {
		return nil, errors.New("short data")
	}
	return data[:n], nil
}

func ping() error {
	wapc.ConsoleLog("ping")
	return nil
}

// decodeByHand reads a Request, an optional Response and set's arguments with the Decode
// helpers, as the old generated wrappers did.
func decodeByHand(payload []byte) ([]byte, error) {
	decoder := msgpack.NewDecoder(payload)
	request, err := module.DecodeRequest(&decoder)
	if err != nil {
		return nil, err
	}
	maybe, err := module.DecodeResponseNullable(&decoder)
	if err != nil {
		return nil, err
	}
	var args module.SetArgs
	if err := args.Decode(&decoder); err != nil {
		return nil, err
	}
	if _, err := module.DecodeSetArgsNullable(&decoder); err != nil {
		return nil, err
	}
	var more module.Request
	if err := more.Decode(&decoder); err != nil {
		return nil, err
	}
	response := module.Response{StatusCode: args.Expires, Body: request.Maybe}
	if maybe != nil {
		response.Body = maybe.Body
	}
	return msgpack.ToBytes(&response)
}

// encodeByHand writes values with Encode, ToBuffer and a Sizer, as the old generated code and
// its users did; a nil *Response encodes as nil.
func encodeByHand(payload []byte) ([]byte, error) {
	request := module.Request{Method: "GET", Body: payload, Maybe: nil, Headers: map[string]string{"a": "b"}}
	var absent *module.Response
	var sizer msgpack.Sizer
	request.Encode(&sizer)
	absent.Encode(&sizer)
	buffer := make([]byte, sizer.Len())
	encoder := msgpack.NewEncoder(buffer)
	request.Encode(&encoder)
	if err := absent.Encode(&encoder); err != nil {
		return nil, err
	}
	args := module.EchoBytesArgs{Data: buffer, N: 1}
	response := module.Response{StatusCode: 200, Body: args.ToBuffer()}
	return response.ToBuffer(), nil
}
