module example.com/roundtrip

go 1.23.0

require (
	github.com/tetratelabs/wazero v1.9.0
	github.com/wapc/tinygo-msgpack v0.2.1
	github.com/wapc/wapc-go v0.7.2
	github.com/wapc/wapc-go/engines/wazero v0.0.0-20250220020831-a72aedbbe70d
	github.com/wapc/wapc-guest-tinygo v0.3.3
)

require github.com/Workiva/go-datastructures v1.1.5 // indirect
