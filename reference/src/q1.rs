//! Question 1: a server that prints every line its client sends, then waits for the next client.

use crate::net::{self, Error};
use crate::Options;
use std::io::BufReader;

pub fn server(opts: &Options) -> Result<(), Error> {
    let listener = net::listen(&opts.host, opts.port)?;
    loop {
        let client = net::accept(&listener)?;
        let mut lines = BufReader::new(&client);
        // `None` (recv returned 0) is the client leaving: looping on it would spin forever.
        while let Some(line) = net::receive_line(&mut lines) {
            net::print_line(&line)?;
        }
    }
}
