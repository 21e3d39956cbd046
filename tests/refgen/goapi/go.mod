module wapc.test/goapi

go 1.23.0
