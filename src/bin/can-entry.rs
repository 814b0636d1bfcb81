//! The entry point of the can image (`/can`): see `nsenter_can::can`.

fn main() {
    std::process::exit(nsenter_can::can::main());
}
