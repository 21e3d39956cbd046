package host_test

import (
	"context"

	wazeroruntime "github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	wapc "github.com/wapc/wapc-go"
	"github.com/wapc/wapc-go/engines/wazero"
)

// engine is wapc-go's wazero engine, with one fix. The engine keeps the guest's response
// (`__guest_response`) as a view of the guest's memory and reads it once the guest call has
// returned; a Rust guest (wapc-guest 1.x) frees the response before returning, and its
// allocator then writes over the first bytes of it. Here every read that the engine's host
// functions make of the guest's memory is a copy, taken while the guest waits.
func engine() wapc.Engine {
	return wazero.EngineWithRuntime(func(ctx context.Context) (wazeroruntime.Runtime, error) {
		runtime, err := wazero.DefaultRuntime(ctx)
		if err != nil {
			return nil, err
		}
		return copyingRuntime{runtime}, nil
	})
}

type copyingRuntime struct{ wazeroruntime.Runtime }

func (r copyingRuntime) NewHostModuleBuilder(name string) wazeroruntime.HostModuleBuilder {
	builder := r.Runtime.NewHostModuleBuilder(name)
	if name != "wapc" {
		return builder
	}
	return copyingModuleBuilder{builder}
}

type copyingModuleBuilder struct {
	wazeroruntime.HostModuleBuilder
}

func (b copyingModuleBuilder) NewFunctionBuilder() wazeroruntime.HostFunctionBuilder {
	return copyingFunctionBuilder{b.HostModuleBuilder.NewFunctionBuilder(), b}
}

type copyingFunctionBuilder struct {
	builder wazeroruntime.HostFunctionBuilder
	module  copyingModuleBuilder
}

func (f copyingFunctionBuilder) next(builder wazeroruntime.HostFunctionBuilder) wazeroruntime.HostFunctionBuilder {
	return copyingFunctionBuilder{builder, f.module}
}

func (f copyingFunctionBuilder) WithGoFunction(fn api.GoFunction, params, results []api.ValueType) wazeroruntime.HostFunctionBuilder {
	return f.next(f.builder.WithGoFunction(fn, params, results))
}

func (f copyingFunctionBuilder) WithGoModuleFunction(fn api.GoModuleFunction, params, results []api.ValueType) wazeroruntime.HostFunctionBuilder {
	copying := api.GoModuleFunc(func(ctx context.Context, module api.Module, stack []uint64) {
		fn.Call(ctx, copyingModule{module}, stack)
	})
	return f.next(f.builder.WithGoModuleFunction(copying, params, results))
}

func (f copyingFunctionBuilder) WithFunc(fn interface{}) wazeroruntime.HostFunctionBuilder {
	return f.next(f.builder.WithFunc(fn))
}

func (f copyingFunctionBuilder) WithName(name string) wazeroruntime.HostFunctionBuilder {
	return f.next(f.builder.WithName(name))
}

func (f copyingFunctionBuilder) WithParameterNames(names ...string) wazeroruntime.HostFunctionBuilder {
	return f.next(f.builder.WithParameterNames(names...))
}

func (f copyingFunctionBuilder) WithResultNames(names ...string) wazeroruntime.HostFunctionBuilder {
	return f.next(f.builder.WithResultNames(names...))
}

func (f copyingFunctionBuilder) Export(name string) wazeroruntime.HostModuleBuilder {
	f.builder.Export(name)
	return f.module
}

type copyingModule struct{ api.Module }

func (m copyingModule) Memory() api.Memory {
	return copyingMemory{m.Module.Memory()}
}

type copyingMemory struct{ api.Memory }

func (m copyingMemory) Read(offset, count uint32) ([]byte, bool) {
	view, ok := m.Memory.Read(offset, count)
	if !ok {
		return nil, false
	}
	return append([]byte(nil), view...), true
}
