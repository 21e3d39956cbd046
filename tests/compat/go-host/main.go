// A Go host written against the old generator's API (a module client made by New from a
// wapc-go instance, as Module or Host) on wapc-go v0.7.2, kept as it was: it must compile
// against wapc's output unchanged.
package main

import (
	"context"
	"fmt"
	"os"

	wapc "github.com/wapc/wapc-go"
	"github.com/wapc/wapc-go/engines/wazero"

	"example.com/compat/go-host/module"
)

func main() {
	if err := run(context.Background(), os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(ctx context.Context, path string) error {
	guest, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	compiled, err := wazero.Engine().New(ctx, hostCall, guest, &wapc.ModuleConfig{
		Logger: wapc.PrintlnLogger,
		Stdout: os.Stdout,
		Stderr: os.Stderr,
	})
	if err != nil {
		return err
	}
	defer compiled.Close(ctx)
	instance, err := compiled.Instantiate(ctx)
	if err != nil {
		return err
	}
	defer instance.Close(ctx)

	var client *module.Module = module.New(instance)
	var host *module.Host = client
	count := int64(3)
	response, err := client.Handle(ctx, module.Request{
		Method:  "GET",
		Body:    []byte("body"),
		Headers: map[string]string{"accept": "*/*"},
		// An optional bytes field is a []byte, nil when absent.
		Maybe: nil,
		Count: &count,
		Tags:  []string{"a"},
	})
	if err != nil {
		return err
	}
	var body []byte = response.Body
	var status uint32 = response.StatusCode
	echoed, err := host.EchoBytes(ctx, body, status)
	if err != nil {
		return err
	}
	if err := host.Ping(ctx); err != nil {
		return err
	}
	fmt.Println(string(echoed))
	return nil
}

func hostCall(ctx context.Context, binding, namespace, operation string, payload []byte) ([]byte, error) {
	return nil, fmt.Errorf("no host operation %s.%s", namespace, operation)
}
