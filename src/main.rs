// mimalloc, as ruff ships: the engine allocates many small strings and maps, and the system
// allocator's bookkeeping was a third of its instructions.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    fpga2gpu::cli::main()
}
