//! The kubectl-enter plugin (a shell script), with a fake kubectl.

mod command_lines;
