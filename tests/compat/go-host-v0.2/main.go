// A Go host written against wapc-go v0.2.1 and the old generator's API, kept as it was: its
// module client is made by New from a `*wapc.Instance`, and it must compile against wapc's
// output unchanged.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/wapc/wapc-go"

	"example.com/oldhost/module"
)

func main() {
	if err := run(context.Background(), os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(ctx context.Context, path string) error {
	code, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	compiled, err := wapc.New(code, hostCall)
	if err != nil {
		return err
	}
	defer compiled.Close()
	instance, err := compiled.Instantiate()
	if err != nil {
		return err
	}
	defer instance.Close()
	var client *module.Module = module.New(instance)
	response, err := client.Handle(ctx, module.Request{Method: "GET", Tags: []string{"a"}})
	if err != nil {
		return err
	}
	echoed, err := client.EchoBytes(ctx, response.Body, response.StatusCode)
	if err != nil {
		return err
	}
	fmt.Println(string(echoed))
	return nil
}

func hostCall(ctx context.Context, binding, namespace, operation string, payload []byte) ([]byte, error) {
	return nil, fmt.Errorf("no host operation %s.%s", namespace, operation)
}
