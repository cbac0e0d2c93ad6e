//! Deterministic generator of realistic FPGA manifests (for benchmarks and property tests).
