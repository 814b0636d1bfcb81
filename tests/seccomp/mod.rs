//! The seccomp profile compiler, against libseccomp as runc uses it.

mod compiler;
