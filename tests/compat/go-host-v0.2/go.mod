module example.com/oldhost

go 1.23.0

require (
	github.com/wapc/tinygo-msgpack v0.2.1
	github.com/wapc/wapc-go v0.2.1
)

require (
	github.com/Workiva/go-datastructures v1.0.52 // indirect
	github.com/pkg/errors v0.9.1 // indirect
	github.com/wasmerio/go-ext-wasm v0.3.1 // indirect
)
