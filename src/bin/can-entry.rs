fn main() {
    eprintln!("can-entry: under construction");
    std::process::exit(1);
}
