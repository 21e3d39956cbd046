;; A waPC guest written by hand for `wapc call`'s tests (tests/call/schema.widl): each
;; operation is chosen by its name's first byte, so that every failure a module can have is
;; one small function. Compiled by the tests with the `wat` crate.
(module
  (import "wapc" "__guest_request" (func $guest_request (param i32 i32)))
  (import "wapc" "__guest_response" (func $guest_response (param i32 i32)))
  (import "wapc" "__guest_error" (func $guest_error (param i32 i32)))
  (import "wapc" "__host_call"
    (func $host_call (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wapc" "__host_response_len" (func $host_response_len (result i32)))
  (import "wapc" "__host_response" (func $host_response (param i32)))
  (import "wapc" "__host_error_len" (func $host_error_len (result i32)))
  (import "wapc" "__host_error" (func $host_error (param i32)))
  (import "wapc" "__console_log" (func $console_log (param i32 i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "default")       ;; 0..7
  (data (i32.const 16) "test")         ;; 16..20
  (data (i32.const 32) "lookup")       ;; 32..38
  (data (i32.const 48) "it failed")    ;; 48..57
  (data (i32.const 64) "hello from the guest") ;; 64..84
  (data (i32.const 96) "wasi output\n") ;; 96..108
  ;; an iovec for fd_write at 112: pointer 96, length 12
  (data (i32.const 112) "\60\00\00\00\0c\00\00\00")
  ;; the operation's name lands at 1024, its payload at 4096
  (func (export "__guest_call") (param $op_len i32) (param $len i32) (result i32)
    (local $first i32)
    (call $guest_request (i32.const 1024) (i32.const 4096))
    (local.set $first (i32.load8_u (i32.const 1024)))
    ;; echo, point: the payload back
    (if (i32.or (i32.eq (local.get $first) (i32.const 0x65)) (i32.eq (local.get $first) (i32.const 0x70)))
      (then
        (call $guest_response (i32.const 4096) (local.get $len))
        (return (i32.const 1))))
    ;; loop
    (if (i32.eq (local.get $first) (i32.const 0x6c))
      (then (loop $forever (br $forever))))
    ;; trap
    (if (i32.eq (local.get $first) (i32.const 0x74))
      (then unreachable))
    ;; grow: 64 KiB pages until refused
    (if (i32.eq (local.get $first) (i32.const 0x67))
      (then
        (loop $more
          (br_if $more (i32.ne (memory.grow (i32.const 16)) (i32.const -1))))
        (call $guest_response (i32.const 4096) (i32.const 0))
        (return (i32.const 1))))
    ;; fail
    (if (i32.eq (local.get $first) (i32.const 0x66))
      (then
        (call $guest_error (i32.const 48) (i32.const 9))
        (return (i32.const 0))))
    ;; host: call default/test/lookup with the payload
    (if (i32.eq (local.get $first) (i32.const 0x68))
      (then
        (if (call $host_call (i32.const 0) (i32.const 7) (i32.const 16) (i32.const 4)
                             (i32.const 32) (i32.const 6) (i32.const 4096) (local.get $len))
          (then
            (call $host_response (i32.const 8192))
            (call $guest_response (i32.const 8192) (call $host_response_len))
            (return (i32.const 1))))
        (call $host_error (i32.const 8192))
        (call $guest_error (i32.const 8192) (call $host_error_len))
        (return (i32.const 0))))
    ;; console: log, write to stdout through WASI, answer with the echo payload's "ok"
    (if (i32.eq (local.get $first) (i32.const 0x63))
      (then
        (call $console_log (i32.const 64) (i32.const 20))
        (drop (call $fd_write (i32.const 1) (i32.const 112) (i32.const 1) (i32.const 120)))
        ;; "ok" as MessagePack: a2 6f 6b
        (i32.store8 (i32.const 200) (i32.const 0xa2))
        (i32.store8 (i32.const 201) (i32.const 0x6f))
        (i32.store8 (i32.const 202) (i32.const 0x6b))
        (call $guest_response (i32.const 200) (i32.const 3))
        (return (i32.const 1))))
    (call $guest_error (i32.const 48) (i32.const 9))
    (i32.const 0))
)
