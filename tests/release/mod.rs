//! The release files of arch/release: tarballs, SHA256SUMS and the .deb
//! per architecture, installed here with dpkg.

mod debian;
