//! importenv, driven as a built binary.

mod completions;
mod run;
