fn main() -> std::process::ExitCode {
    fpga2gpu::cli::main()
}
