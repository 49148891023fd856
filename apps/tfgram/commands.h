#pragma once
// Subcommand registry of the tfgram tool. Each subcommand lives in its own file and registers
// itself at start-up; main.cpp only builds the CLI11 app from the registry and dispatches.
#include <CLI/CLI.hpp>

#include <functional>
#include <string>

namespace tfgram::cli {

/// Adds the subcommand's options to `command` and returns the action to run after parsing
/// (returning the process exit code). Bad input should throw std::invalid_argument (→ exit 2).
using CommandSetup = std::function<std::function<int()>(CLI::App& command)>;

/// Registers subcommand `name`; use as `const bool registered = register_command(...)` at
/// namespace scope in the command's file.
bool register_command(const std::string& name, const std::string& description, CommandSetup setup);

/// The path of this tfgram executable (to start more of it: trials, ranks).
std::string self_path();

}  // namespace tfgram::cli
